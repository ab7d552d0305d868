-- AlterTable
ALTER TABLE "LoginFailure" ADD COLUMN     "pending" BOOLEAN NOT NULL DEFAULT false;

