// The auth service: every use case of the API as a plain async function over the store, a clock and the
// signing key. Nothing here knows about HTTP, cookies or Next.js.
import { randomUUID } from "node:crypto";
import { signAccessToken, verifyAccessToken, type SigningKey } from "./access-token";
import {
  levelOf,
  logEntryOf,
  SECURITY_ALERT_DAYS,
  SECURITY_ALERT_TYPES,
  securityEvent,
  silentLogger,
  type AuthLogEntry,
  type AuthLogger,
  type SecurityEventRecord,
} from "./activity";
import type { AuthConfig } from "./config";
import { hashEmailToken, isUsable, newEmailToken, type EmailTokenPurpose } from "./email-token";
import { AuthError } from "./errors";
import { normalizeEmail, type LoginInput, type PasswordChangeInput, type PasswordResetInput, type RegisterInput } from "./input";
import { distinctSecrets } from "./keys";
import { LivenessCache } from "./liveness-cache";
import { noMetrics, type AuthMetrics } from "./metrics";
import { silentNotify, type Notify } from "./notices";
import { assertHashingCapacity, hashPassword, needsRehash, verifyPassword } from "./password";
import {
  decideRefresh,
  deriveSuccessorToken,
  generateRefreshToken,
  hashRefreshToken,
  REUSE_WALK_STEPS,
  spentTokensBelow,
  successorHashes,
  type RefreshDecision,
} from "./refresh-token";
import { inProcessFeed, type FeedState, type RevocationFeed, type RevocationNotice } from "./revocation-feed";
import {
  accessTokenExpiry,
  addSeconds,
  idleExpiry,
  MAX_LIVE_SESSIONS,
  refreshTokenEnd,
  sessionValidity,
  type RevokeReason,
} from "./session";
import type {
  AuthStore,
  CredentialCheck,
  IdentityRecord,
  LoginReservation,
  NewRefreshToken,
  RefreshTokenRecord,
  SecurityEventFilter,
  SessionFilter,
  SessionRecord,
  SessionWithUser,
  UserRecord,
} from "./store";
import { attemptVerdict, MAX_IN_FLIGHT_PER_ADDRESS, throttleSubjects, type ThrottleSubjects } from "./throttle";
import {
  NO_CLIENT,
  type AccountOverviewView,
  type ActivityView,
  type ClientInfo,
  type Clock,
  type IssuedTokens,
  type Principal,
  type ProviderIdentity,
  type PublicUser,
  type Registration,
  type SessionView,
  type SignInMethods,
} from "./types";

export interface AuthServiceDeps {
  config: AuthConfig;
  store: AuthStore;
  signingKey: SigningKey;
  /** Keys whose tokens are still accepted, the signing key included. */
  verificationKeys?: readonly SigningKey[];
  /** Server secret for deriving refresh-token successors. */
  secret: string;
  /** Secrets before the last rotation: successors derived with them are still followed (README). */
  previousSecrets?: readonly string[];
  clock?: Clock;
  /** Receives one structured entry per auth event; silent by default. */
  log?: AuthLogger;
  /** Counts what the log does not tell (the liveness cache); nothing by default. */
  metrics?: AuthMetrics;
  /** Hands messages for the account's owner to the mail component; silent by default. */
  notify?: Notify;
  /** Carries revocation notices between instances; within this process by default. */
  feed?: RevocationFeed;
}

type RefreshRefusal = Extract<RefreshDecision, { action: "reject" }>["code"] | "refresh_invalid";

/** Longest rotated chain followed when a spent token is replayed within the grace period. */
const MAX_REPLAY_HOPS = 32;
/** A device cookie as this server writes it (256 random bits, base64url): anything else is replaced. */
const DEVICE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The events the dashboard's alerts show: those of SECURITY_ALERT_TYPES of the last SECURITY_ALERT_DAYS. */
function alertFilter(now: Date): SecurityEventFilter {
  return { types: SECURITY_ALERT_TYPES, since: new Date(now.getTime() - SECURITY_ALERT_DAYS * 86_400_000) };
}

function activityView({ type, createdAt, ip, userAgent }: SecurityEventRecord): ActivityView {
  return { type, createdAt, ip, userAgent };
}

function sessionViews(sessions: SessionRecord[], principal: Principal): SessionView[] {
  return sessions.map((session) => ({
    id: session.id,
    createdAt: session.createdAt,
    lastUsedAt: session.lastUsedAt,
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.id === principal.sessionId,
  }));
}

function signInMethodsOf(user: UserRecord | null, identities: IdentityRecord[]): SignInMethods {
  return {
    password: Boolean(user?.passwordHash),
    identities: identities.map(({ id, issuer, email, linkedAt, lastUsedAt }) => ({ id, issuer, email, linkedAt, lastUsedAt })),
  };
}

function newIdentity(identity: ProviderIdentity, userId: string, email: string | null, now: Date): IdentityRecord {
  return {
    id: randomUUID(),
    userId,
    issuer: identity.issuer,
    subject: identity.subject,
    email,
    linkedAt: now,
    lastUsedAt: now,
  };
}

export class AuthService {
  private readonly config: AuthConfig;
  private readonly store: AuthStore;
  private readonly signingKey: SigningKey;
  private readonly verificationKeys: readonly SigningKey[];
  private readonly secret: string;
  /** The current secret first, then the previous ones. */
  private readonly secrets: readonly string[];
  private readonly now: Clock;
  private readonly log: AuthLogger;
  private readonly metrics: AuthMetrics;
  private readonly notify: Notify;
  private readonly liveness: LivenessCache;
  private readonly feed: RevocationFeed;

  constructor(deps: AuthServiceDeps) {
    this.config = deps.config;
    this.store = deps.store;
    this.signingKey = deps.signingKey;
    this.verificationKeys = deps.verificationKeys ?? [deps.signingKey];
    this.secret = deps.secret;
    this.secrets = distinctSecrets(deps.secret, deps.previousSecrets ?? []);
    this.now = deps.clock ?? (() => new Date());
    this.log = deps.log ?? silentLogger;
    this.metrics = deps.metrics ?? noMetrics;
    this.notify = deps.notify ?? silentNotify;
    this.liveness = new LivenessCache(this.metrics);
    this.feed = deps.feed ?? inProcessFeed();
    const followState = (state: FeedState) => {
      this.liveness.feedState(state);
      this.metrics.revocationFeed(state);
    };
    followState(this.feed.state);
    this.feed.subscribe({
      notice: (notice) => {
        this.metrics.revocationNotice("received");
        this.liveness.drop(notice);
      },
      state: followState,
    });
  }

  /** Sign-up can be turned off; callers ask before reading a body so the answer does not depend on it. */
  assertSignupOpen(): void {
    if (!this.config.allowSignup) throw new AuthError("signup_disabled");
  }

  /**
   * Creates the account and sends its verification link. The browser that signed up is remembered, so it
   * never gets a "new browser" notice. With required verification nobody is signed in yet.
   */
  async signUp(input: RegisterInput, client: ClientInfo): Promise<Registration> {
    this.assertSignupOpen();
    const passwordHash = await hashPassword(input.password);
    const now = this.now(); // read after the hash, so the cookies' lifetimes start when the tokens do
    const created = await this.store.createUser({ id: randomUUID(), email: input.email, passwordHash }, now);
    if (!created) throw new AuthError("email_taken");
    const user = { id: created.id, email: created.email };
    await this.sendLink("verify", user, now);
    if (this.config.requireEmailVerification) {
      await this.record([securityEvent("account_created", user.id, client, now)]);
      return { user, tokens: null };
    }
    const { deviceToken } = await this.recognizeDevice(user.id, client, now);
    const issued = await this.startSession(user, client, now);
    await this.record([securityEvent("account_created", user.id, client, now, issued.sessionId)]);
    return { user, tokens: { ...issued, deviceToken } };
  }

  /** Sign-up that signs in, for callers that never require verification (scripts, tests, the benchmark). */
  async register(input: RegisterInput, client: ClientInfo): Promise<IssuedTokens> {
    const { tokens } = await this.signUp(input, client);
    if (!tokens) throw new AuthError("email_unverified");
    return tokens;
  }

  /**
   * The attempt is reserved in the failure log before the password is hashed (so N concurrent guesses
   * count as N, on every instance) and settled after; no database connection is held while it waits for
   * or runs the hash. The session is created only if the credential it verified is still current.
   */
  async login(input: LoginInput, client: ClientInfo): Promise<IssuedTokens> {
    const subjects = throttleSubjects(input.email, client.ip);
    const reservation = await this.reserveAttempt(subjects, client);
    const { user, valid } = await this.releasingOnError(reservation, async () => {
      const user = await this.store.findUserByEmail(input.email);
      return { user, valid: await verifyPassword(user?.passwordHash ?? null, input.password, subjects.ip) };
    });
    const now = this.now(); // read after the hash, so failures are recorded at the time they happen
    if (!user || !valid) return this.failedAttempt(reservation, user, client, now);
    if (this.config.requireEmailVerification && !user.emailVerifiedAt) {
      await this.store.clearLoginFailures(reservation, subjects.email);
      // Said only to someone who knows the password: it tells them no more than signing in would.
      throw new AuthError("email_unverified");
    }
    // Best effort: when the queue is full the old hash stays, and a later login upgrades it.
    const rehash =
      user.passwordHash && needsRehash(user.passwordHash) ? await hashPassword(input.password, subjects.ip).catch(() => undefined) : undefined;
    const credential: CredentialCheck = { version: user.credentialVersion ?? 0, rehash };
    const issued = await this.releasingOnError(reservation, () => this.signIn(user, client, now, "sign_in", credential));
    // The password was changed or reset since it was read: what was verified is no longer the password.
    if (!issued) return this.failedAttempt(reservation, user, client, now);
    await this.store.clearLoginFailures(reservation, subjects.email);
    return issued;
  }

  /**
   * Signs in with an identity the OpenID provider vouched for (the adapter in lib/oidc validated the ID
   * token). Found by (issuer, subject) first; else a verified email links it to the account that has the
   * email; else a new account is made, unless sign-up is off. The session is a login's in every way.
   */
  async signInWithIdentity(identity: ProviderIdentity, client: ClientInfo): Promise<IssuedTokens> {
    const now = this.now();
    const email = identity.email === null ? null : normalizeEmail(identity.email);
    const known = await this.store.findIdentity(identity.issuer, identity.subject);
    if (known) {
      // Refused before anything is written: a sign-in that did not happen is not the identity's last use.
      this.assertVerifiedForSso(known.user, now, client);
      await this.store.markIdentityUsed(known.identity.id, email, now);
      return this.signIn(known.user, client, now, "sso_sign_in");
    }
    if (!email) throw new AuthError("sso_email_missing");
    const owner = await this.store.findUserByEmail(email);
    if (owner) {
      // Linking on an unverified email would let anyone who can type the victim's address at some
      // provider take over the account.
      if (!identity.emailVerified) {
        this.log({ ...this.entry("sso_refused", now, client), userId: owner.id, reason: "sso_email_unverified" });
        throw new AuthError("sso_email_unverified");
      }
      // With verification required, an unconfirmed account may be a squatter's (someone who registered the
      // victim's address with a password of their own): linking it would hand them the victim's sign-ins
      // once the address is confirmed. The owner confirms the address first (the link, or a reset).
      this.assertVerifiedForSso(owner, now, client);
      if (!(await this.store.addIdentity(newIdentity(identity, owner.id, email, now)))) throw new AuthError("sso_failed");
      await this.record([securityEvent("identity_linked", owner.id, client, now)]);
      return this.signIn(owner, client, now, "sso_sign_in");
    }
    this.assertSignupOpen();
    const userId = randomUUID();
    const user = await this.store.createUserWithIdentity(
      { id: userId, email, emailVerifiedAt: identity.emailVerified ? now : null },
      newIdentity(identity, userId, email, now),
      now,
    );
    if (!user) throw new AuthError("sso_failed"); // the email or the identity was taken a moment ago
    if (this.config.requireEmailVerification && !user.emailVerifiedAt) {
      await this.sendLink("verify", user, now);
      await this.record([securityEvent("account_created", user.id, client, now)]);
      throw new AuthError("email_unverified");
    }
    const issued = await this.startSession(user, client, now);
    await this.record([
      securityEvent("account_created", user.id, client, now, issued.sessionId),
      securityEvent("sso_sign_in", user.id, client, now, issued.sessionId),
    ]);
    return issued;
  }

  /**
   * Connects an identity to the account of a session that started the connection, if that session is
   * still live. An identity linked to another account stays there.
   */
  async linkIdentity(link: { userId: string; sessionId: string }, identity: ProviderIdentity, client: ClientInfo): Promise<void> {
    const now = this.now();
    const found = await this.store.findSession(link.sessionId);
    if (!found || found.user.id !== link.userId || sessionValidity(found.session, now) !== "live") {
      throw new AuthError("unauthorized", { message: "Your session has ended. Sign in, then connect again." });
    }
    const email = identity.email === null ? null : normalizeEmail(identity.email);
    const known = await this.store.findIdentity(identity.issuer, identity.subject);
    if (known && known.user.id !== link.userId) throw new AuthError("sso_identity_taken");
    if (known) return this.store.markIdentityUsed(known.identity.id, email, now);
    if (!(await this.store.addIdentity(newIdentity(identity, link.userId, email, now)))) {
      throw new AuthError("sso_identity_taken");
    }
    await this.record([securityEvent("identity_linked", link.userId, client, now, link.sessionId)]);
  }

  /** Disconnects one of the caller's identities, unless it is the account's last way to sign in. */
  async unlinkIdentity(principal: Principal, identityId: string, client: ClientInfo = NO_CLIENT): Promise<void> {
    const now = this.now();
    const outcome = await this.store.removeIdentity(principal.user.id, identityId, now);
    if (outcome === "not_found") throw new AuthError("not_found");
    if (outcome === "last_method") throw new AuthError("sso_last_method");
    await this.record([securityEvent("identity_unlinked", principal.user.id, client, now, principal.sessionId)]);
  }

  /** How the caller can sign in: with a password or not, and the identities linked to the account. */
  async listSignInMethods(principal: Principal): Promise<SignInMethods> {
    const [user, identities] = await Promise.all([
      this.store.findUserByEmail(principal.user.email),
      this.store.listIdentities(principal.user.id),
    ]);
    return signInMethodsOf(user, identities);
  }

  /**
   * Optimistic: read the token and its session, decide (decideRefresh), then spend the token only if it is
   * still unspent. When another request (or instance) spent it in between, that write changes nothing and
   * the token is read once more and judged as spent: a replay within the grace period, or reuse after it.
   * Exactly one request rotates a given token.
   */
  async refresh(refreshToken: string | undefined, client: ClientInfo = NO_CLIENT): Promise<IssuedTokens> {
    if (!refreshToken) throw new AuthError("refresh_missing");
    const now = this.now();
    const tokenHash = hashRefreshToken(refreshToken);
    for (let attempt = 0; attempt < 2; attempt++) {
      const read = await this.store.findRefreshTokenWithSession(tokenHash);
      if (!read) {
        // Unknown: perhaps a spent token whose row a later rotation dropped (see spentTokensBelow).
        const dropped = await this.droppedAncestorOf(refreshToken, now);
        return this.refuse(dropped ? "refresh_reused" : "refresh_invalid", dropped, now, client);
      }
      const { token, found } = read;
      const decision = decideRefresh(token, found.session, now, this.config.refreshReuseGrace);
      if (decision.action === "reject") {
        if (decision.revokeSession) await this.revoke({ sessionId: found.session.id }, "reuse_detected", now);
        return this.refuse(decision.code, found, now, client);
      }
      if (decision.action === "replay") {
        // The session was live just now (decideRefresh), so its current token works until refreshTokenEnd.
        const head = await this.chainHead(refreshToken);
        if (!head) throw new AuthError("refresh_expired");
        return this.refreshed(found, head.raw, refreshTokenEnd(found.session), now, client, "replayed");
      }
      const successorToken = deriveSuccessorToken(refreshToken, this.secret);
      const successor: NewRefreshToken = {
        id: randomUUID(),
        sessionId: token.sessionId,
        tokenHash: hashRefreshToken(successorToken),
        replacesId: token.id,
        generation: token.generation + 1,
        issuedAt: now,
      };
      const idleExpiresAt = idleExpiry(now, this.config);
      const won = await this.store.rotateRefreshToken({
        spentId: token.id,
        successor,
        now,
        idleExpiresAt,
        dropSpentBelow: spentTokensBelow(successor.generation),
      });
      const expiresAt = refreshTokenEnd({ absoluteExpiresAt: found.session.absoluteExpiresAt, idleExpiresAt });
      if (won) return this.refreshed(found, successorToken, expiresAt, now, client, "rotated");
    }
    throw new Error("refresh token changed twice during one rotation");
  }

  /** Ends the session of a refresh token, or else of an access token (even an expired one). Idempotent. */
  async logout(credentials: { refreshToken?: string; accessToken?: string }, client: ClientInfo = NO_CLIENT): Promise<void> {
    const now = this.now();
    let sessionId: string | undefined;
    if (credentials.refreshToken) {
      sessionId = (await this.store.findRefreshToken(hashRefreshToken(credentials.refreshToken)))?.sessionId;
    }
    if (!sessionId && credentials.accessToken) {
      const verified = await verifyAccessToken(credentials.accessToken, this.verificationKeys, this.config, now);
      if (verified.ok || verified.reason === "expired") sessionId = verified.claims.sid;
    }
    if (sessionId && (await this.revoke({ sessionId }, "logout", now)) > 0) {
      this.log({ ...this.entry("sign_out", now, client), sessionId });
    }
  }

  /**
   * The authoritative check of an access token: signature and claims, then the session's liveness.
   * Route handlers and server-rendered pages call it; the Edge middleware only checks the signature.
   */
  async authenticate(accessToken: string | undefined): Promise<Principal> {
    if (!accessToken) throw new AuthError("unauthorized");
    const now = this.now();
    const verified = await verifyAccessToken(accessToken, this.verificationKeys, this.config, now);
    if (!verified.ok) {
      throw new AuthError(verified.reason === "expired" ? "token_expired" : "unauthorized", { tokenPresented: true });
    }
    const found = await this.sessionState(verified.claims.sid, now, new Date(verified.claims.exp * 1000));
    if (!found || found.user.id !== verified.claims.sub || sessionValidity(found.session, now) !== "live") {
      throw new AuthError("unauthorized", { tokenPresented: true, message: "Your session has ended." });
    }
    const { id, email, emailVerified = false } = found.user;
    return { user: { id, email, emailVerified }, sessionId: found.session.id };
  }

  async logoutAll(principal: Principal, client: ClientInfo = NO_CLIENT): Promise<void> {
    const now = this.now();
    await this.revoke({ userId: principal.user.id }, "logout_all", now);
    await this.record([securityEvent("logout_all", principal.user.id, client, now, principal.sessionId)]);
  }

  /** The caller's recent security activity, newest first. */
  async listActivity(principal: Principal, limit = 50): Promise<ActivityView[]> {
    return (await this.store.listSecurityEvents(principal.user.id, limit)).map(activityView);
  }

  /** The caller's security alerts of the last SECURITY_ALERT_DAYS, newest first, whatever happened since. */
  async listSecurityAlerts(principal: Principal, limit = 5): Promise<ActivityView[]> {
    return (await this.store.listSecurityEvents(principal.user.id, limit, alertFilter(this.now()))).map(activityView);
  }

  async listSessions(principal: Principal): Promise<SessionView[]> {
    return sessionViews(await this.store.listLiveSessions(principal.user.id, this.now()), principal);
  }

  /**
   * What the dashboard shows, as listSessions, listActivity(`activityLimit`), listSecurityAlerts and
   * listSignInMethods would answer, read at once (the store makes it one round trip where it can).
   */
  async accountOverview(principal: Principal, activityLimit = 50, alertLimit = 5): Promise<AccountOverviewView> {
    const now = this.now();
    const read = await this.store.readAccountOverview(principal.user.id, now, activityLimit, { limit: alertLimit, filter: alertFilter(now) });
    return {
      sessions: sessionViews(read.sessions, principal),
      activity: read.activity.map(activityView),
      alerts: read.alerts.map(activityView),
      signInMethods: signInMethodsOf(read.user, read.identities),
    };
  }

  /** Revokes one of the caller's sessions. Someone else's session is "not found", never "forbidden". */
  async revokeSession(principal: Principal, sessionId: string, client: ClientInfo = NO_CLIENT): Promise<void> {
    const found = await this.store.findSession(sessionId);
    if (!found || found.user.id !== principal.user.id) throw new AuthError("not_found");
    const now = this.now();
    const revoked = await this.revoke({ sessionId, userId: principal.user.id }, "device_revoked", now);
    if (revoked > 0) await this.record([securityEvent("device_revoked", principal.user.id, client, now, sessionId)]);
  }

  /**
   * Changes the password and ends every other session; the caller's own session stays signed in. The
   * current password is checked like a login's, counted with the account's login failures: a stolen
   * session cannot guess it faster than the login form allows.
   */
  async changePassword(principal: Principal, input: PasswordChangeInput, client: ClientInfo = NO_CLIENT): Promise<void> {
    const subjects = throttleSubjects(principal.user.email, client.ip);
    const reservation = await this.reserveAttempt(subjects, client);
    const { user, valid } = await this.releasingOnError(reservation, async () => {
      const user = await this.store.findUserByEmail(principal.user.email);
      return { user, valid: await verifyPassword(user?.passwordHash ?? null, input.currentPassword, subjects.ip) };
    });
    const now = this.now();
    if (!user || !valid) return this.failedAttempt(reservation, user, client, now, "The current password is incorrect.");
    await this.store.clearLoginFailures(reservation, subjects.email);
    const passwordHash = await hashPassword(input.newPassword);
    await this.store.updatePasswordAndRevoke({
      userId: user.id,
      passwordHash,
      reason: "password_change",
      keepSessionId: principal.sessionId,
      now,
    });
    await this.ended({ userId: user.id });
    await this.record([securityEvent("password_changed", user.id, client, now, principal.sessionId)]);
    this.notify({ kind: "password_changed", how: "changed", to: user.email, ...this.source(client, now) });
  }

  /**
   * Sends a reset link when an account has this email, and nothing otherwise; the caller answers alike
   * either way, before this runs (see the forgot route). A new link makes the older ones invalid.
   */
  async requestPasswordReset(email: string): Promise<void> {
    const now = this.now();
    const user = await this.store.findUserByEmail(email);
    if (user) await this.sendLink("reset", user, now);
  }

  /** Whether a reset link still works, for the page that asks for the new password (nothing is spent). */
  async isResetLinkUsable(token: string): Promise<boolean> {
    const found = await this.store.findEmailToken(hashEmailToken(token));
    return found !== null && found.purpose === "reset" && isUsable(found, this.now());
  }

  /**
   * Sets a new password with a reset link (also the way an account made by single sign-on gets one):
   * the link is spent, every session ends, every other reset link stops working, and the owner is told.
   */
  async resetPassword(input: PasswordResetInput, client: ClientInfo = NO_CLIENT): Promise<void> {
    const tokenHash = hashEmailToken(input.token);
    // A cheap look first, so a wrong link costs no password hash; the spend below is what decides.
    if (!(await this.isResetLinkUsable(input.token))) throw new AuthError("reset_invalid");
    const passwordHash = await hashPassword(input.newPassword);
    const now = this.now();
    const reset = await this.store.resetPassword(tokenHash, passwordHash, now);
    if (!reset) throw new AuthError("reset_invalid");
    await this.ended({ userId: reset.user.id });
    await this.record([securityEvent("password_reset", reset.user.id, client, now)]);
    this.notify({ kind: "password_changed", how: "reset", to: reset.user.email, ...this.source(client, now) });
  }

  /** Proves the address a verification link was sent to. */
  async verifyEmail(token: string): Promise<void> {
    const verified = await this.store.verifyEmail(hashEmailToken(token), this.now());
    if (!verified) throw new AuthError("verify_invalid");
    // Not a revocation, but the cached sessions of this account say "unverified": every instance drops
    // them, so the next /api/me anywhere says verified at once.
    await this.ended({ userId: verified.userId });
  }

  /** Sends the caller a new verification link; older ones keep working until they expire. */
  async resendVerification(principal: Principal): Promise<void> {
    await this.sendLink("verify", principal.user, this.now());
  }

  private async sendLink(purpose: EmailTokenPurpose, user: PublicUser, now: Date): Promise<void> {
    const { token, tokenHash } = newEmailToken();
    const expiresAt = addSeconds(now, purpose === "reset" ? this.config.resetTtl : this.config.verifyTtl);
    await this.store.issueEmailToken(
      { id: randomUUID(), userId: user.id, purpose, tokenHash, email: user.email, createdAt: now, expiresAt, usedAt: null },
      { replaceOlder: purpose === "reset" },
    );
    const link = { to: user.email, token, expiresAt };
    this.notify(purpose === "reset" ? { kind: "password_reset_link", ...link } : { kind: "verify_email_link", ...link });
  }

  /**
   * Recognises this browser by its device cookie (a new random one when it has none) and remembers it. A
   * "new browser" is one the account did not know while it knew another: the first browser an account
   * ever uses (the one that signed up, or the first sign-in after verification) is not news to its owner.
   */
  private async recognizeDevice(userId: string, client: ClientInfo, now: Date): Promise<{ deviceToken: string; newDevice: boolean }> {
    const presented = client.deviceToken;
    const deviceToken = presented && DEVICE_TOKEN.test(presented) ? presented : generateRefreshToken();
    const seen = await this.store.rememberDevice(userId, hashRefreshToken(deviceToken), now);
    return { deviceToken, newDevice: seen === "new" };
  }

  /** AUTH_REQUIRE_EMAIL_VERIFICATION holds for single sign-on too: an unconfirmed account is not signed in. */
  private assertVerifiedForSso(user: { id: string; emailVerifiedAt?: Date | null }, now: Date, client: ClientInfo): void {
    if (!this.config.requireEmailVerification || user.emailVerifiedAt) return;
    this.log({ ...this.entry("sso_refused", now, client), userId: user.id, reason: "email_unverified" });
    throw new AuthError("email_unverified");
  }

  private source(client: ClientInfo, now: Date) {
    return { at: now, ip: client.ip, userAgent: client.userAgent };
  }

  /**
   * Takes the attempt's place in the failure log of its email and its address, or refuses it: 429 past
   * either bound (also for the right password), 503 when the hashing queue is full (nothing is written).
   */
  private async reserveAttempt(subjects: ThrottleSubjects, client: ClientInfo): Promise<LoginReservation> {
    assertHashingCapacity(subjects.ip);
    const now = this.now();
    const { loginMaxFailures, loginWindow, ipMaxFailures, ipWindow, hashMaxWait } = this.config;
    // Attempts still being checked settle within the hashing queue's bound and a hash.
    const inFlightRetry = hashMaxWait + 1;
    const outcome = await this.store.reserveLoginAttempt(
      [subjects.email, subjects.ip],
      addSeconds(now, -Math.max(loginWindow, ipWindow)),
      now,
      (log) =>
        Math.max(
          attemptVerdict(log.get(subjects.email) ?? [], now, loginMaxFailures, loginWindow, inFlightRetry),
          attemptVerdict(log.get(subjects.ip) ?? [], now, ipMaxFailures, ipWindow, inFlightRetry, MAX_IN_FLIGHT_PER_ADDRESS),
        ),
      subjects.ip,
    );
    if ("retryAfter" in outcome) {
      this.log(this.entry("sign_in_throttled", now, client));
      throw new AuthError("too_many_attempts", { retryAfter: outcome.retryAfter });
    }
    return outcome.reservation;
  }

  /** Runs `work`; when it throws (a full hashing queue, an outage), the attempt never counted and its entries go. */
  private async releasingOnError<T>(reservation: LoginReservation, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // If even this fails (the database is down), the entries count as failures once stale: closed, not open.
      await this.store.releaseLoginAttempt(reservation).catch(() => undefined);
      throw error;
    }
  }

  /** The attempt's entries become failures, with the account's activity event when the email is known. */
  private async failedAttempt(
    reservation: LoginReservation,
    user: UserRecord | null,
    client: ClientInfo,
    now: Date,
    message?: string,
  ): Promise<never> {
    // Only an existing account gets an activity event; an unknown email is only logged.
    const event = user ? securityEvent("sign_in_failed", user.id, client, now) : undefined;
    await this.store.recordLoginFailure(reservation, now, event);
    this.log(event ? logEntryOf(event) : this.entry("sign_in_failed_unknown_user", now, client));
    throw new AuthError("invalid_credentials", message ? { message } : {});
  }

  /**
   * A new session for a person who just proved who they are, recorded (with the new-browser notice). A
   * password login passes the credential it verified: null, and nothing written, when it is no longer current.
   */
  private async signIn(user: PublicUser, client: ClientInfo, now: Date, type: "sso_sign_in"): Promise<IssuedTokens>;
  private async signIn(user: PublicUser, client: ClientInfo, now: Date, type: "sign_in", credential: CredentialCheck): Promise<IssuedTokens | null>;
  private async signIn(
    user: PublicUser,
    client: ClientInfo,
    now: Date,
    type: "sign_in" | "sso_sign_in",
    credential?: CredentialCheck,
  ): Promise<IssuedTokens | null> {
    const issued = await this.startSession(user, client, now, credential);
    if (!issued) return null;
    const { deviceToken, newDevice } = await this.recognizeDevice(user.id, client, now);
    const signIn = securityEvent(type, user.id, client, now, issued.sessionId);
    await this.record(newDevice ? [signIn, { ...signIn, type: "new_device" }] : [signIn]);
    if (newDevice) this.notify({ kind: "new_device", to: user.email, ...this.source(client, now) });
    return { ...issued, deviceToken };
  }

  private async startSession(user: PublicUser, client: ClientInfo, now: Date): Promise<IssuedTokens>;
  private async startSession(user: PublicUser, client: ClientInfo, now: Date, credential?: CredentialCheck): Promise<IssuedTokens | null>;
  private async startSession(user: PublicUser, client: ClientInfo, now: Date, credential?: CredentialCheck): Promise<IssuedTokens | null> {
    const session: SessionRecord = {
      id: randomUUID(),
      userId: user.id,
      createdAt: now,
      lastUsedAt: now,
      absoluteExpiresAt: addSeconds(now, this.config.refreshTtl),
      idleExpiresAt: idleExpiry(now, this.config),
      revokedAt: null,
      revokedReason: null,
      userAgent: client.userAgent,
      ip: client.ip,
    };
    const refreshToken = generateRefreshToken();
    const token: RefreshTokenRecord = {
      id: randomUUID(),
      sessionId: session.id,
      tokenHash: hashRefreshToken(refreshToken),
      replacesId: null,
      generation: 0,
      issuedAt: now,
      spentAt: null,
    };
    const ended = await this.store.createSession(session, token, MAX_LIVE_SESSIONS, credential);
    if (ended === null) return null;
    if (ended > 0) {
      await this.ended({ userId: user.id });
      await this.record([securityEvent("session_limit", user.id, client, now, session.id)]);
    }
    return this.issue({ session, user: { id: user.id, email: user.email } }, refreshToken, refreshTokenEnd(session), now);
  }

  private async issue(
    { session, user }: SessionWithUser,
    refreshToken: string,
    refreshTokenExpiresAt: Date,
    now: Date,
  ): Promise<IssuedTokens> {
    const accessTokenExpiresAt = accessTokenExpiry(session.absoluteExpiresAt, now, this.config);
    const accessToken = await signAccessToken(
      { userId: user.id, sessionId: session.id },
      accessTokenExpiresAt,
      now,
      this.signingKey,
      this.config,
    );
    return {
      user: { id: user.id, email: user.email },
      sessionId: session.id,
      issuedAt: now,
      accessToken,
      accessTokenExpiresAt,
      refreshToken,
      refreshTokenExpiresAt,
    };
  }

  private async refreshed(
    found: SessionWithUser,
    refreshToken: string,
    refreshTokenExpiresAt: Date,
    now: Date,
    client: ClientInfo,
    outcome: "rotated" | "replayed",
  ): Promise<IssuedTokens> {
    const issued = await this.issue(found, refreshToken, refreshTokenExpiresAt, now);
    this.log({ ...this.entry("token_refreshed", now, client, found), outcome });
    return issued;
  }

  /**
   * Refuses a refresh. A reuse that ends a live session is stored once as activity: replaying a stolen
   * token in a loop adds log lines, not rows and warnings.
   */
  private async refuse(code: RefreshRefusal, found: SessionWithUser | undefined, now: Date, client: ClientInfo): Promise<never> {
    if (found && code === "refresh_reused" && found.session.revokedAt === null) {
      await this.record([securityEvent("refresh_reused", found.user.id, client, now, found.session.id)]);
      this.notify({ kind: "refresh_reused", to: found.user.email, ...this.source(client, now) });
    } else {
      this.log({ ...this.entry("refresh_rejected", now, client, found), reason: code });
    }
    throw new AuthError(code);
  }

  /**
   * When `token` is an ancestor of a stored token (a spent one whose row was dropped), its session as it
   * was, after ending it for reuse. The walk is bounded (REUSE_WALK_STEPS successors per secret, looked up
   * in one query), so an unknown token costs a bounded amount of work.
   */
  private async droppedAncestorOf(token: string, now: Date): Promise<SessionWithUser | undefined> {
    const hashes = this.secrets.flatMap((secret) => successorHashes(token, secret, REUSE_WALK_STEPS));
    const descendant = await this.store.findRefreshTokenAmong(hashes);
    const found = descendant ? await this.store.findSession(descendant.sessionId) : null;
    if (!found) return undefined;
    await this.revoke({ sessionId: found.session.id }, "reuse_detected", now);
    return found;
  }

  /** Follows a spent token's successors to the one not yet spent: the chain's current token. */
  private async chainHead(spentToken: string): Promise<{ raw: string; token: RefreshTokenRecord } | null> {
    let raw = spentToken;
    for (let hop = 0; hop < MAX_REPLAY_HOPS; hop++) {
      const next = await this.storedSuccessor(raw);
      if (!next) return null;
      if (next.token.spentAt === null) return next;
      raw = next.raw;
    }
    return null;
  }

  /**
   * The stored successor of a token. A rotation made just before the secret changed (or by an instance
   * not yet restarted) derived it with a previous secret, so each secret is tried, the current one first.
   */
  private async storedSuccessor(raw: string): Promise<{ raw: string; token: RefreshTokenRecord } | null> {
    for (const secret of this.secrets) {
      const candidate = deriveSuccessorToken(raw, secret);
      const token = await this.store.findRefreshToken(hashRefreshToken(candidate));
      if (token) return { raw: candidate, token };
    }
    return null;
  }

  /** The session as last read, from the cache when it may answer (liveness-cache.ts), else from the store. */
  private async sessionState(sessionId: string, now: Date, tokenExpiresAt: Date): Promise<SessionWithUser | null> {
    const cached = this.liveness.get(sessionId, now);
    if (cached !== undefined) return cached;
    const ticket = this.liveness.ticket();
    const found = await this.store.findSession(sessionId);
    this.liveness.set(sessionId, found, now, ticket, tokenExpiresAt);
    return found;
  }

  private async revoke(filter: SessionFilter, reason: RevokeReason, now: Date): Promise<number> {
    const revoked = await this.store.revokeSessions(filter, reason, now);
    await this.ended("sessionId" in filter ? { sessionIds: [filter.sessionId] } : { userId: filter.userId });
    return revoked;
  }

  /**
   * Every revocation ends here once it is written (by `revoke`, or by a store write that revokes as part of
   * something else: a password change or reset, the session cap): this instance forgets the sessions at
   * once, and the notice goes to every other one. Published even when nothing changed, so a retry after a
   * failed publish tells the others after all.
   */
  private async ended(notice: RevocationNotice): Promise<void> {
    this.liveness.drop(notice);
    await this.feed.publish(notice);
    this.metrics.revocationNotice("sent");
  }

  /** Stores activity events for their accounts and logs each. */
  private async record(events: SecurityEventRecord[]): Promise<void> {
    await this.store.addSecurityEvents(events);
    for (const event of events) this.log(logEntryOf(event));
  }

  /** A log-only entry, with the account and session when they are known. */
  private entry(event: AuthLogEntry["event"], at: Date, client: ClientInfo, found?: SessionWithUser): AuthLogEntry {
    return {
      event,
      level: levelOf(event),
      at,
      userId: found?.user.id ?? null,
      sessionId: found?.session.id ?? null,
      ip: client.ip,
      userAgent: client.userAgent,
    };
  }
}
