import { describe, expect, it } from "vitest";
import {
  DEFAULT_POOL_SIZE,
  SettingsError,
  checkSecret,
  databaseSettings,
  dialectOf,
  poolSize,
  previousSecrets,
  resolvePath,
  sqliteFile,
} from "./settings.mjs";

const ROOT = "/srv/app";

describe("the database", () => {
  it("is SQLite at ./data/app.db in the project folder by default, the data folder beside it", () => {
    for (const env of [{}, { DATABASE_URL: "" }]) {
      expect(databaseSettings(env, ROOT)).toEqual({
        dialect: "sqlite",
        url: "file:/srv/app/data/app.db",
        file: "/srv/app/data/app.db",
        dataDir: "/srv/app/data",
      });
    }
  });

  it("takes a relative SQLite path from the project folder and keeps an absolute one", () => {
    expect(databaseSettings({ DATABASE_URL: "file:../shared/./db/x.db?mode=rwc" }, ROOT)).toMatchObject({
      url: "file:/srv/shared/db/x.db",
      dataDir: "/srv/shared/db",
    });
    expect(databaseSettings({ DATABASE_URL: "file:/var/lib/app//auth.db" }, ROOT).file).toBe("/var/lib/app/auth.db");
    expect(databaseSettings({ DATABASE_URL: "file:app.db" }, "/").dataDir).toBe("/");
  });

  it("is PostgreSQL for postgres:// and postgresql://, with ./data as the data folder", () => {
    for (const url of ["postgres://db/auth", "postgresql://u:p@db:5432/auth?sslmode=require"]) {
      expect(databaseSettings({ DATABASE_URL: url }, ROOT)).toEqual({ dialect: "postgresql", url, file: undefined, dataDir: "/srv/app/data" });
    }
  });

  it("refuses any other kind of URL, naming its scheme", () => {
    expect(() => dialectOf("mysql://db/auth")).toThrow(SettingsError);
    expect(() => databaseSettings({ DATABASE_URL: "mysql://db/auth" }, ROOT)).toThrow("not mysql:");
    expect(() => dialectOf("sqlite:./x.db")).toThrow("must start with file:");
  });

  it("resolves one SQLite file however the URL spells it", () => {
    const spellings = ["file:./data/app.db", "file:data/app.db", "file:./data/../data/app.db", "file:/srv/app/data/app.db?x=1"];
    expect(new Set(spellings.map((url) => sqliteFile(url, ROOT)))).toEqual(new Set(["/srv/app/data/app.db"]));
    expect(resolvePath("/a/b", "../../../c")).toBe("/c");
  });
});

describe("DATABASE_POOL_SIZE", () => {
  it("defaults to node-postgres's own size", () => {
    expect(poolSize({})).toBe(DEFAULT_POOL_SIZE);
    expect(poolSize({ DATABASE_POOL_SIZE: " " })).toBe(DEFAULT_POOL_SIZE);
    expect(poolSize({ DATABASE_POOL_SIZE: "25" })).toBe(25);
  });

  it("refuses anything but a whole number of at least 1", () => {
    for (const raw of ["0", "-3", "2.5", "ten", "1e3", "08"]) {
      expect(() => poolSize({ DATABASE_POOL_SIZE: raw })).toThrow(`DATABASE_POOL_SIZE must be a whole number of at least 1, not "${raw}"`);
    }
  });
});

describe("secrets", () => {
  it("need at least 32 bytes, counted in UTF-8", () => {
    expect(checkSecret("x".repeat(32))).toBe("x".repeat(32));
    expect(() => checkSecret("x".repeat(31))).toThrow("AUTH_SECRET must be at least 32 bytes");
    expect(checkSecret("é".repeat(16))).toBe("é".repeat(16)); // 16 characters, 32 bytes
    expect(() => checkSecret("short", "Each AUTH_PREVIOUS_SECRETS entry")).toThrow("Each AUTH_PREVIOUS_SECRETS entry must be");
  });

  it("before a rotation are a comma-separated list, blanks and spaces around entries ignored", () => {
    const previous = "the-previous-secret-that-is-32-bytes-or-more";
    const older = "an-older-secret-still-32-bytes-long-at-least";
    expect(previousSecrets(undefined)).toEqual([]);
    expect(previousSecrets(" ")).toEqual([]);
    expect(previousSecrets(` ${previous} ,, ${older},`)).toEqual([previous, older]);
  });
});
