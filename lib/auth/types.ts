// The core's vocabulary: who is signed in, from where, and what the use cases hand back. Types only (and
// NO_CLIENT), so the HTTP layer, pages and scripts can name them without importing the service.
import type { ActivityType } from "./activity";

export type Clock = () => Date;

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  /** The browser's device cookie, when it sent one: how a browser this account used before is recognised. */
  deviceToken?: string | null;
}

/** For callers that have no request (tests, scripts). */
export const NO_CLIENT: ClientInfo = { ip: null, userAgent: null };

export interface PublicUser {
  id: string;
  email: string;
}

/** The signed-in person as /api/me and the dashboard show them (authenticate always says whether verified). */
export interface AccountUser extends PublicUser {
  emailVerified?: boolean;
}

/** A new account, and its signed-in session unless sign-up waits for the address to be verified. */
export interface Registration {
  user: PublicUser;
  tokens: IssuedTokens | null;
}

/** A signed-in session as handed to the HTTP layer, which turns it into cookies and a body. */
export interface IssuedTokens {
  user: PublicUser;
  sessionId: string;
  issuedAt: Date;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  /** The device cookie to (re)set: this browser's, or a new one when it had none. */
  deviceToken?: string;
}

export interface Principal {
  user: AccountUser;
  sessionId: string;
}

export interface SessionView {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

/** Who an OpenID provider says signed in, taken from an ID token it signed (or its UserInfo). */
export interface ProviderIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
}

export interface IdentityView {
  id: string;
  issuer: string;
  email: string | null;
  linkedAt: Date;
  lastUsedAt: Date;
}

export interface SignInMethods {
  password: boolean;
  identities: IdentityView[];
}

export interface ActivityView {
  type: ActivityType;
  createdAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** The dashboard's account, as AuthService.accountOverview reads it. */
export interface AccountOverviewView {
  sessions: SessionView[];
  activity: ActivityView[];
  alerts: ActivityView[];
  signInMethods: SignInMethods;
}
