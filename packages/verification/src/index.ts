export { VERIFICATION_CODES_TOPIC, VerificationCodeMessage, ensureVerificationCodesTopic, publishVerificationCode } from './message.js';
export type { ConfirmFailure, ConfirmOutcome, PhoneVerificationsOptions, VerificationStatus, VerificationView } from './store.js';
export { PhoneVerifications } from './store.js';
