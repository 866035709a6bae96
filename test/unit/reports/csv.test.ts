import { describe, expect, it } from 'vitest';
import { ExportedCsv } from '../../../preload/contract';
import { toCsv } from '../../../main/reports';
import { AppFailure } from '../../../main/rpc';
import type { Database } from '../../../main/store/db';
import { makeTestDatabase } from '../../helpers/tmp';
import { LINE_CHANNEL, T0, WA_NUMBER_A, insertBroadcast, makeReports, uuid } from './fixtures';

function open(): Database {
  return makeTestDatabase('reports-csv');
}

/** A strict RFC 4180 reader (CRLF records, quoted fields with doubled quotes), to prove the output parses back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r') throw new Error(`text after a closing quote at ${i}`);
      } else {
        field += c;
        i += 1;
      }
    } else if (c === '"') {
      if (field !== '') throw new Error(`a quote inside an unquoted field at ${i}`);
      quoted = true;
      i += 1;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i += 1;
    } else if (c === '\r') {
      if (text[i + 1] !== '\n') throw new Error(`a bare CR at ${i}`);
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '\n') {
      throw new Error(`a bare LF at ${i}`);
    } else {
      field += c;
      i += 1;
    }
  }
  if (quoted) throw new Error('an unclosed quote');
  if (field !== '' || row.length > 0) throw new Error('the last record has no CRLF');
  return rows;
}

const EXPORT_ID = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
const NASTY = ['=1+1', '+1', '-1', '@SUM(A1:A2)', '\tcmd', '\r=2', '王小明', 'Lee, "Bob"', 'line\nbreak', 'plain', ''];

describe('toCsv', () => {
  it('quotes fields with a comma, a quote, CR or LF, doubles quotes, and ends every record with CRLF', () => {
    expect(toCsv([['a', 'b,c', 'say "hi"', 'x\ny', null, 42]])).toBe('a,"b,c","say ""hi""","x\ny",,42\r\n');
    expect(toCsv([])).toBe('');
  });

  it('neutralises cells a spreadsheet would run as a formula (= + - @ tab CR) with a leading quote', () => {
    expect(toCsv([['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', 'a=1', '']])).toBe(`'=1+1,'+1,'-1,'@SUM(A1),'\tx,"'\rx",a=1,\r\n`);
    // Our own numbers stay numbers.
    expect(toCsv([[-1, 0, 3.5]])).toBe('-1,0,3.5\r\n');
  });

  it('parses back, cell for cell, with an RFC 4180 reader', () => {
    const parsed = parseCsv(toCsv([NASTY, ['a', 'b']]));
    expect(parsed[0]).toEqual(NASTY.map((cell) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell)));
    expect(parsed[1]).toEqual(['a', 'b']);
  });
});

describe('history.export', () => {
  function seed(database: Database): void {
    insertBroadcast(database, {
      id: EXPORT_ID,
      createdAt: Date.UTC(2026, 4, 14, 16, 5), // 00:05 on the 15th in Taipei
      state: 'completed_with_failures',
      recipients: [
        ...NASTY.map((name, index) => ({ channel: 'line' as const, state: 'accepted' as const, name, requestId: `req-${index}`, eventId: `e${index}`, at: T0 })),
        { channel: 'whatsapp', state: 'failed', reason: 'wa_undeliverable: Message undeliverable, try later', name: 'Wu', eventId: 'e-w', messageId: null, at: T0 },
        { channel: 'whatsapp', state: 'accepted', name: 'Xu', eventId: 'e-x', messageId: 'wamid.HBg=', at: T0 },
      ],
    });
  }

  it('writes every recipient as UTF-8 CSV with a BOM, a zh-TW header and Taipei times', () => {
    const database = open();
    seed(database);
    const exported = makeReports(database).exportCsv(EXPORT_ID, 'zh-TW');
    expect(ExportedCsv.parse(exported)).toEqual(exported);
    expect(exported.fileName).toBe('omo-broadcast-20260515-0005-f47ac10b.csv');
    expect(exported.rows).toBe(NASTY.length + 2);
    expect(exported.csv.startsWith('\uFEFF')).toBe(true);
    expect(exported.csv.endsWith('\r\n')).toBe(true);

    const [header, ...rows] = parseCsv(exported.csv.slice(1));
    expect(header).toEqual(['顧客', '管道', '帳號', '狀態', '原因代碼', '原因說明', '時間', 'LINE 請求 ID', 'WhatsApp 訊息 ID', '事件 ID']);
    expect(rows).toHaveLength(NASTY.length + 2);
    // Accepted first (in snapshot order), then failed.
    expect(rows[0]).toEqual(["'=1+1", 'LINE', LINE_CHANNEL, '已送出', '', '', '2026-05-14T11:00:00+08:00', 'req-0', '', 'e0']);
    expect(rows.map((row) => row[0])).toContain('王小明');
    expect(rows.map((row) => row[0])).toContain('Lee, "Bob"');
    expect(rows.map((row) => row[0])).toContain("'\tcmd");
    const failed = rows.find((row) => row[0] === 'Wu');
    expect(failed).toEqual(['Wu', 'WhatsApp', WA_NUMBER_A, '失敗', 'wa_undeliverable', 'Message undeliverable, try later', '2026-05-14T11:00:00+08:00', '', '', 'e-w']);
    expect(rows.find((row) => row[0] === 'Xu')?.[8]).toBe('wamid.HBg=');
  });

  it('has an English header and state names for an English user', () => {
    const database = open();
    seed(database);
    const [header, first] = parseCsv(makeReports(database).exportCsv(EXPORT_ID, 'en').csv.slice(1));
    expect(header).toEqual(['Customer', 'Channel', 'Account', 'State', 'Reason code', 'Reason detail', 'Time', 'LINE request ID', 'WhatsApp message ID', 'Event ID']);
    expect(first?.[3]).toBe('Accepted');
  });

  it('answers not_found for an unknown broadcast', () => {
    const reports = makeReports(open());
    expect(() => reports.exportCsv(uuid(404), 'en')).toThrow(AppFailure);
  });
});
