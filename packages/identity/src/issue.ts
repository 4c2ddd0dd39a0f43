import { SignJWT } from 'jose';
import { TokenClaims } from './claims.js';
import { hmacKey } from './secret.js';

const SECONDS_PER_UNIT = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 } as const;

/** `90s`, `15m`, `12h`, `30d`, `2w` in seconds. */
function durationSeconds(expiresIn: string): number {
  const match = /^(\d+) *([smhdw])$/.exec(expiresIn);
  if (match === null) throw new Error(`expiresIn ${JSON.stringify(expiresIn)} is not a whole number of s, m, h, d or w, such as 30d`);
  const [, amount, unit] = match;
  return Number(amount) * SECONDS_PER_UNIT[unit as keyof typeof SECONDS_PER_UNIT];
}

export interface IssueOptions {
  /** Default `30d`. */
  expiresIn?: string;
  issuer?: string;
  audience?: string;
  /** The issuing instant (iat; exp counts from it). Default: the current time. */
  now?: Date;
}

/** An HS256 token for `claims` (checked first), with iat and exp. */
export async function issueToken(secret: string, claims: TokenClaims, options: IssueOptions = {}): Promise<string> {
  const key = hmacKey(secret);
  const checked = TokenClaims.parse(claims);
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const token = new SignJWT(checked)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + durationSeconds(options.expiresIn ?? '30d'));
  if (options.issuer !== undefined) token.setIssuer(options.issuer);
  if (options.audience !== undefined) token.setAudience(options.audience);
  return token.sign(key);
}
