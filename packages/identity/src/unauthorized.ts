export type UnauthorizedReason =
  | 'missing_token'
  | 'malformed_header'
  | 'malformed_token'
  | 'algorithm_not_allowed'
  | 'bad_signature'
  | 'unknown_key'
  | 'keys_unavailable'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'invalid_claims';

/** A request without a usable identity. The message is safe to show the client; `cause` is for logs. */
export class UnauthorizedError extends Error {
  constructor(
    readonly reason: UnauthorizedReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UnauthorizedError';
  }
}

/** RFC 6750's b64token: what may follow `Bearer `. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(authorizationHeader: string | undefined): string {
  if (authorizationHeader === undefined || authorizationHeader.trim() === '') throw new UnauthorizedError('missing_token', 'missing bearer token');
  const token = BEARER.exec(authorizationHeader)?.[1];
  if (token === undefined) throw new UnauthorizedError('malformed_header', 'the Authorization header is not "Bearer <token>"');
  return token;
}
