// What the store asks of a Prisma client, written out as a plain structural type.
//
// The SQLite and the PostgreSQL clients are generated from the same models, so at run time they take the
// same queries and return the same rows. Their TypeScript types, though, are two unrelated families
// (each client has its own `Prisma` namespace), and neither is assignable to the other. This interface
// lists only the calls PrismaAuthStore makes; both generated clients satisfy it as they are (client.ts
// checks that at compile time), so one store implementation serves both without a cast. Each method has
// one signature: TypeScript cannot match Prisma's generic methods against overloads, so the store asks
// for each model in a single shape.
import type { NewRefreshToken, RefreshTokenRecord, SessionRecord, UserRecord } from "../auth/store";

interface UserRow extends UserRecord {
  createdAt: Date;
  updatedAt: Date;
}

type PublicUser = { id: string; email: string };
type SessionWithUserRow = SessionRecord & { user: PublicUser };
type WithUser = { user: { select: { id: true; email: true } } };
type Count = { count: number };

export interface SessionWhere {
  id?: string | { in: string[] } | { not: string };
  userId?: string;
  revokedAt?: null;
  absoluteExpiresAt?: { gt: Date };
  idleExpiresAt?: { gt: Date };
}

export interface AuthModels {
  user: {
    findUnique(args: {
      where: { email: string };
      select: { id: true; email: true; passwordHash: true };
    }): PromiseLike<UserRecord | null>;
    create(args: { data: UserRow }): PromiseLike<unknown>;
    update(args: { where: { id: string }; data: { passwordHash: string; updatedAt: Date } }): PromiseLike<unknown>;
  };
  session: {
    create(args: {
      data: SessionRecord & { refreshTokens: { create: Omit<NewRefreshToken, "sessionId"> } };
    }): PromiseLike<unknown>;
    findUnique(args: { where: { id: string }; include: WithUser }): PromiseLike<SessionWithUserRow | null>;
    findMany(args: { where: SessionWhere; orderBy: { lastUsedAt: "desc" } }): PromiseLike<SessionRecord[]>;
    update(args: { where: { id: string }; data: { lastUsedAt: Date; idleExpiresAt: Date } }): PromiseLike<unknown>;
    updateMany(args: {
      where: SessionWhere;
      data: { revokedAt: Date; revokedReason: string };
    }): PromiseLike<Count>;
  };
  refreshToken: {
    findUnique(args: { where: { tokenHash: string } }): PromiseLike<RefreshTokenRecord | null>;
    create(args: { data: NewRefreshToken }): PromiseLike<RefreshTokenRecord>;
    updateMany(args: { where: { id: string; spentAt: null }; data: { spentAt: Date } }): PromiseLike<Count>;
  };
  loginFailure: {
    findMany(args: {
      where: { subject: { in: string[] }; failedAt: { gt: Date } };
      select: { subject: true; failedAt: true };
    }): PromiseLike<{ subject: string; failedAt: Date }[]>;
    createMany(args: { data: { subject: string; failedAt: Date }[] }): PromiseLike<Count>;
    deleteMany(args: { where: { subject: string } }): PromiseLike<Count>;
  };
}

/** The client inside an interactive transaction: the same models, plus raw SQL for locks. */
export interface AuthTransaction extends AuthModels {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
}

export interface AuthDb extends AuthTransaction {
  $transaction<R>(work: (tx: AuthTransaction) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
  $disconnect(): Promise<void>;
}
