-- AlterTable
ALTER TABLE "RefreshToken" DROP COLUMN "expiresAt";

