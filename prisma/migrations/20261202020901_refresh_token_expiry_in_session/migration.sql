-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_RefreshToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "replacesId" TEXT,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "issuedAt" DATETIME NOT NULL,
    "spentAt" DATETIME,
    CONSTRAINT "RefreshToken_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RefreshToken_replacesId_fkey" FOREIGN KEY ("replacesId") REFERENCES "RefreshToken" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_RefreshToken" ("generation", "id", "issuedAt", "replacesId", "sessionId", "spentAt", "tokenHash") SELECT "generation", "id", "issuedAt", "replacesId", "sessionId", "spentAt", "tokenHash" FROM "RefreshToken";
DROP TABLE "RefreshToken";
ALTER TABLE "new_RefreshToken" RENAME TO "RefreshToken";
CREATE UNIQUE INDEX "RefreshToken_tokenHash_key" ON "RefreshToken"("tokenHash");
CREATE UNIQUE INDEX "RefreshToken_replacesId_key" ON "RefreshToken"("replacesId");
CREATE INDEX "RefreshToken_sessionId_idx" ON "RefreshToken"("sessionId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

