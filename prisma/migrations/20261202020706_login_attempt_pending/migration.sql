-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_LoginFailure" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "subject" TEXT NOT NULL,
    "failedAt" DATETIME NOT NULL,
    "pending" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_LoginFailure" ("failedAt", "id", "subject") SELECT "failedAt", "id", "subject" FROM "LoginFailure";
DROP TABLE "LoginFailure";
ALTER TABLE "new_LoginFailure" RENAME TO "LoginFailure";
CREATE INDEX "LoginFailure_subject_failedAt_idx" ON "LoginFailure"("subject", "failedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

