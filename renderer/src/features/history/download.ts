/**
 * Saves a CSV the way a browser saves a download: a Blob behind an <a download>. The text main sends already starts
 * with a BOM (so Excel reads zh-TW as UTF-8): none is added here.
 */
export function downloadCsv(fileName: string, csv: string): void {
  const blob = new Blob([csv], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.rel = 'noopener';
  anchor.hidden = true;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The download holds its own reference once the click is handled; the URL can go after this task.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}
