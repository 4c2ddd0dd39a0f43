export type { EmailMessage, EmailSender, EmailTransportConfig, WebhookRequest } from './channels.js';
export { WebhookError, createEmailSender, postWebhook } from './channels.js';
export type { Directory, Person, TenantSettings, WebhookEndpoint } from './directory.js';
export { DirectoryError, EMPTY_DIRECTORY, parseDirectory } from './directory.js';
export { EmailConfigError, emailConfigFromEnv } from './email-config.js';
export type {
  Audience,
  CallbackStatus,
  CallbackTask,
  Channel,
  DeliveryIntent,
  DeliveryRecord,
  DeliveryStatus,
  NewCallbackTask,
  NotificationSubject,
  StoredProfile,
  TicketProfile,
} from './ledger.js';
export { LEDGER_SCHEMA_VERSION, NotificationLedger } from './ledger.js';
export type { Localization, SupportedLanguage } from './locale.js';
export { REGION_ZONES, SUPPORTED_LANGUAGES, formatInstant, localize, zoneForRegion } from './locale.js';
export type { BackoffPolicy, DeadLetter, DeadLetterReason, NotifierOptions, StoredTicketEvent, TicketHistory } from './notifier.js';
export { DEFAULT_BACKOFF, NOTIFICATIONS_DLQ_TOPIC, Notifier, NotifierStoppingError, TICKET_EVENTS_TOPIC } from './notifier.js';
export type { PlanInput, PlannedBase, PlannedMessage, PlannedNotification, PlannedWebhook, WebhookPayload } from './plan.js';
export { BREACH_LEVEL, applyToProfile, notificationId, planNotifications } from './plan.js';
export type { VerifyWebhookInput } from './signature.js';
export { DELIVERY_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook, verifyWebhookSignature } from './signature.js';
export type { CustomerEvent, MessageKey, RenderedMessage, Template, TemplateKey, TemplateValues, VerificationTemplateKey } from './templates.js';
export { CLOSE_REASONS, CUSTOMER_EVENTS, FOOTERS, NOTE_VISIBILITY, TEMPLATES, VERIFICATION_TEMPLATES, render } from './templates.js';
