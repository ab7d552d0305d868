// The Prisma client type the store is written against.
//
// The SQLite and the PostgreSQL clients are generated from the same models (prisma/postgres/schema.prisma
// is derived from prisma/schema.prisma, and `npm run db:check` verifies the migrations of both), so at run
// time they take the same queries and return the same rows. TypeScript, though, sees two unrelated type
// families, one per generated `Prisma` namespace. The store is typed against the SQLite client, and
// client.ts presents the PostgreSQL client under that type in one place.
import type { Prisma, PrismaClient } from "./generated/sqlite/client";

/** A whole client: models, transactions, raw SQL. */
export type AuthDb = PrismaClient;

/** The models and raw SQL, as available both on the client and inside an interactive transaction. */
export type AuthModels = Prisma.TransactionClient;
