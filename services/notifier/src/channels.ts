import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTransport } from 'nodemailer';
import { DELIVERY_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './signature.js';

/** An email ready to go. */
export interface EmailMessage {
  /** The notification id (event, recipient, channel): names the outbox file. */
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  /** Content-Language. */
  language: string;
  /** Deterministic, so a message sent twice (a crash between send and ledger) can be recognised by the receiver. */
  messageId: string;
  headers: Record<string, string>;
}

/** Anything that sends an email and resolves once the next hop accepted it. */
export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
  close(): void;
}

export type EmailTransportConfig =
  | {
      kind: 'smtp';
      host: string;
      port: number;
      /** TLS from the start (port 465). Otherwise STARTTLS when the server offers it, unless ignoreTLS. */
      secure?: boolean;
      requireTLS?: boolean;
      ignoreTLS?: boolean;
      auth?: { user: string; pass: string };
      /** Accept a self-signed server certificate (test servers only). */
      allowSelfSigned?: boolean;
      /** Connection, greeting and socket timeouts (default 10 s, 10 s, 30 s). */
      connectionTimeoutMs?: number;
      greetingTimeoutMs?: number;
      socketTimeoutMs?: number;
    }
  | {
      /** Embedded mode: each message becomes `<dir>/<notification id>.eml` (RFC 5322), written atomically. */
      kind: 'outbox';
      dir: string;
    };

const mailOptions = (message: EmailMessage) => ({
  from: message.from,
  to: message.to,
  subject: message.subject,
  text: message.text,
  messageId: message.messageId,
  headers: { ...message.headers, 'Content-Language': message.language, 'Auto-Submitted': 'auto-generated' },
});

export function createEmailSender(config: EmailTransportConfig): EmailSender {
  if (config.kind === 'outbox') {
    const dir = resolve(config.dir);
    const transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    return {
      async send(message) {
        const info = await transport.sendMail(mailOptions(message));
        mkdirSync(dir, { recursive: true });
        // The file is named by the notification id: writing it twice leaves one file.
        const file = join(dir, `${message.id}.eml`);
        const temporary = `${file}.tmp-${process.pid}`;
        writeFileSync(temporary, info.message as Buffer);
        renameSync(temporary, file);
      },
      close: () => transport.close(),
    };
  }
  const transport = createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure ?? false,
    requireTLS: config.requireTLS ?? false,
    ignoreTLS: config.ignoreTLS ?? false,
    ...(config.auth === undefined ? {} : { auth: config.auth }),
    ...(config.allowSelfSigned === true ? { tls: { rejectUnauthorized: false } } : {}),
    connectionTimeout: config.connectionTimeoutMs ?? 10_000,
    greetingTimeout: config.greetingTimeoutMs ?? 10_000,
    socketTimeout: config.socketTimeoutMs ?? 30_000,
  });
  return {
    async send(message) {
      await transport.sendMail(mailOptions(message));
    },
    close: () => transport.close(),
  };
}

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export interface WebhookRequest {
  url: string;
  secret: string;
  body: string;
  deliveryId: string;
  eventId: string;
  now: Date;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * POSTs a signed webhook and resolves on a 2xx answer. Anything else (another status, a redirect,
 * a network error, no answer within the timeout) throws, and the delivery is retried.
 */
export async function postWebhook(request: WebhookRequest): Promise<void> {
  const timestamp = Math.floor(request.now.getTime() / 1000);
  const doFetch = request.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(request.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'caseflow-notifier/1',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(request.secret, timestamp, request.body),
        [DELIVERY_HEADER]: request.deliveryId,
        [EVENT_ID_HEADER]: request.eventId,
      },
      body: request.body,
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new WebhookError(`POST ${request.url} failed: ${(error as Error).message}${cause === undefined ? '' : ` (${cause})`}`, undefined);
  }
  // Drain the body so the connection can be reused.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status < 200 || response.status > 299) {
    throw new WebhookError(`POST ${request.url} answered ${response.status} ${response.statusText}`.trim(), response.status);
  }
}
