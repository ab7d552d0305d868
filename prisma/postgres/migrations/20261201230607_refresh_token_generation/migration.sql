-- AlterTable
ALTER TABLE "RefreshToken" ADD COLUMN     "generation" INTEGER NOT NULL DEFAULT 0;

