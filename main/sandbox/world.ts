/**
 * The demo data the three emulated services share: workspaces, people, channels, customers, templates and events.
 * Built by the seeded generator in seed.ts; mutated only through the services (events change status, reports land).
 */
export type Plan = 'omo' | 'standard';
export type Role = 'sales_manager' | 'sales_person' | 'admin' | 'agent';
export type Channel = 'line' | 'whatsapp';

export interface Workspace {
  id: string;
  name: string;
  plan: Plan;
  /** Hosts whose links count as 官網連結 (official), subdomains included (DESIGN §4). */
  officialDomains: string[];
  utmEnabled: boolean;
  broadcastExpiryHours: number;
}

export interface Store {
  id: string;
  workspaceId: string;
  name: string;
}

export interface DemoUser {
  id: string;
  account: string;
  password: string;
  name: string;
  role: Role;
  workspaceId: string;
  storeId: string;
  /** The sender's monthly broadcast allowance in recipients; null = unlimited. */
  monthlyLimit: number | null;
}

export interface LineChannel {
  /** LINE channel id (digits). */
  id: string;
  workspaceId: string;
  name: string;
  accessToken: string;
  /** `GET /v2/bot/message/quota`: null = type "none" (no limit). */
  monthlyQuota: number | null;
}

export interface LineUser {
  userId: string;
  channelId: string;
  displayName: string;
  pictureUrl: string | null;
  language: string;
}

export interface WhatsAppNumber {
  phoneNumberId: string;
  wabaId: string;
  workspaceId: string;
  displayNumber: string;
  name: string;
  accessToken: string;
  graphVersion: string;
}

export interface WhatsAppContact {
  /** The wa_id: E.164 digits without '+'. */
  waId: string;
  phoneNumberId: string;
  name: string;
  /** The customer's last message, which opens the 24-hour window; null = never wrote. */
  lastInboundAt: number | null;
  /** Sends to this number fail with 131026 (not a WhatsApp user, old client…). */
  undeliverable: boolean;
}

export interface TemplateComponent {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';
  format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT';
  text?: string;
  example?: Record<string, unknown>;
  buttons?: Array<Record<string, unknown>>;
}

export interface Template {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED';
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: TemplateComponent[];
}

export interface InboxEvent {
  id: string;
  workspaceId: string;
  channel: Channel;
  /** LINE channel id or WhatsApp phone-number id. */
  channelAccount: string;
  customer: { name: string; avatarUrl: string | null; platformId: string };
  status: 'in_progress' | 'pending' | 'resolved';
  assigneeId: string;
  assigneeName: string;
  storeId: string;
  storeName: string;
  tags: string[];
  lastMessageAt: number;
  lastInboundAt: number | null;
  updatedAt: number;
}

export interface SandboxWorld {
  workspaces: Workspace[];
  stores: Store[];
  users: DemoUser[];
  lineChannels: LineChannel[];
  /** By LINE user id. */
  lineUsers: Map<string, LineUser>;
  whatsappNumbers: WhatsAppNumber[];
  /** By wa_id. */
  whatsappContacts: Map<string, WhatsAppContact>;
  templates: Template[];
  events: InboxEvent[];
}
