import { describe, expect, it } from "vitest";
import { ConfigError, loadAuthConfig } from "./config";

describe("loadAuthConfig", () => {
  it("uses the contract's defaults for an empty environment", () => {
    const config = loadAuthConfig({});
    expect(config).toMatchObject({
      accessTtl: 900,
      refreshTtl: 2_592_000,
      refreshIdleTtl: 2_592_000,
      refreshReuseGrace: 10,
      loginMaxFailures: 5,
      loginWindow: 900,
      allowSignup: true,
      cookieSecure: undefined,
      production: false,
    });
  });

  it("treats blank values as unset", () => {
    expect(loadAuthConfig({ AUTH_ACCESS_TTL: "  ", AUTH_ALLOW_SIGNUP: "" })).toMatchObject({
      accessTtl: 900,
      allowSignup: true,
    });
  });

  it("reads every numeric setting from the environment", () => {
    const config = loadAuthConfig({
      AUTH_ACCESS_TTL: "60",
      AUTH_REFRESH_TTL: "3600",
      AUTH_REFRESH_IDLE_TTL: "600",
      AUTH_REFRESH_REUSE_GRACE: "3",
      AUTH_LOGIN_MAX_FAILURES: "2",
      AUTH_LOGIN_WINDOW: "30",
    });
    expect(config).toMatchObject({
      accessTtl: 60,
      refreshTtl: 3600,
      refreshIdleTtl: 600,
      refreshReuseGrace: 3,
      loginMaxFailures: 2,
      loginWindow: 30,
    });
  });

  it("defaults the idle lifetime to the refresh lifetime, not to the default refresh lifetime", () => {
    expect(loadAuthConfig({ AUTH_REFRESH_TTL: "7200" }).refreshIdleTtl).toBe(7200);
  });

  it("accepts a reuse grace of 0 (grace turned off)", () => {
    expect(loadAuthConfig({ AUTH_REFRESH_REUSE_GRACE: "0" }).refreshReuseGrace).toBe(0);
  });

  it.each([
    ["AUTH_ACCESS_TTL", "abc"],
    ["AUTH_ACCESS_TTL", "0"],
    ["AUTH_ACCESS_TTL", "1.5"],
    ["AUTH_REFRESH_TTL", "-1"],
    ["AUTH_REFRESH_IDLE_TTL", "0"],
    ["AUTH_REFRESH_REUSE_GRACE", "-1"],
    ["AUTH_LOGIN_MAX_FAILURES", "0"],
    ["AUTH_LOGIN_WINDOW", "ten"],
    ["AUTH_IP_MAX_FAILURES", "99"],
  ])("rejects %s=%j with a ConfigError", (name, value) => {
    expect(() => loadAuthConfig({ [name]: value })).toThrow(ConfigError);
  });

  it.each([
    ["true", true],
    ["1", true],
    ["YES", true],
    ["on", true],
    ["false", false],
    ["0", false],
    ["No", false],
    ["off", false],
  ])("reads AUTH_ALLOW_SIGNUP=%j as %s", (raw, expected) => {
    expect(loadAuthConfig({ AUTH_ALLOW_SIGNUP: raw }).allowSignup).toBe(expected);
  });

  it("rejects a flag that is neither true nor false", () => {
    expect(() => loadAuthConfig({ AUTH_ALLOW_SIGNUP: "maybe" })).toThrow(ConfigError);
    expect(() => loadAuthConfig({ AUTH_COOKIE_SECURE: "sometimes" })).toThrow(ConfigError);
  });

  it("leaves the Secure flag to be decided per request unless it is set", () => {
    expect(loadAuthConfig({ AUTH_COOKIE_SECURE: "false" }).cookieSecure).toBe(false);
    expect(loadAuthConfig({ AUTH_COOKIE_SECURE: "true" }).cookieSecure).toBe(true);
  });

  it("reads retention in days and the cleanup schedule, with their defaults", () => {
    expect(loadAuthConfig({})).toMatchObject({
      retention: 30 * 86_400,
      activityRetention: 90 * 86_400,
      cleanupInterval: 3600,
      cleanupBatch: 1000,
    });
    expect(
      loadAuthConfig({
        AUTH_RETENTION_DAYS: "0",
        AUTH_ACTIVITY_RETENTION_DAYS: "7",
        AUTH_CLEANUP_INTERVAL: "0",
        AUTH_CLEANUP_BATCH: "50",
      }),
    ).toMatchObject({ retention: 0, activityRetention: 7 * 86_400, cleanupInterval: 0, cleanupBatch: 50 });
    expect(() => loadAuthConfig({ AUTH_CLEANUP_BATCH: "0" })).toThrow(ConfigError);
    expect(() => loadAuthConfig({ AUTH_RETENTION_DAYS: "1.5" })).toThrow(ConfigError);
  });

  it("knows when it runs in production", () => {
    expect(loadAuthConfig({ NODE_ENV: "production" }).production).toBe(true);
    expect(loadAuthConfig({ NODE_ENV: "development" }).production).toBe(false);
  });
});

describe("the settings of mail, links and single sign-on", () => {
  it("defaults APP_URL to localhost on PORT and refuses anything but an origin", () => {
    expect(loadAuthConfig({}).appUrl).toBe("http://localhost:3000");
    expect(loadAuthConfig({ PORT: "4123" }).appUrl).toBe("http://localhost:4123");
    expect(loadAuthConfig({ APP_URL: "https://auth.example.com/" }).appUrl).toBe("https://auth.example.com");
    for (const bad of ["auth.example.com", "javascript:alert(1)", "https://auth.example.com/app", "https://a@b.example"]) {
      expect(() => loadAuthConfig({ APP_URL: bad })).toThrow(ConfigError);
    }
  });

  it("has the contract's mail defaults", () => {
    expect(loadAuthConfig({})).toMatchObject({
      smtpUrl: undefined,
      mailFrom: "Keep Signed In <no-reply@localhost>",
      resetTtl: 1800,
      verifyTtl: 86_400,
      requireEmailVerification: false,
      trustedProxies: "",
      oidc: undefined,
    });
  });

  it("takes a provider only when issuer, client id and secret are all set", () => {
    expect(() => loadAuthConfig({ AUTH_OIDC_ISSUER: "http://127.0.0.1:9/" })).toThrow(ConfigError);
    const config = loadAuthConfig({ AUTH_OIDC_ISSUER: "http://127.0.0.1:9", AUTH_OIDC_CLIENT_ID: "app", AUTH_OIDC_CLIENT_SECRET: "s" });
    expect(config.oidc).toEqual({ issuer: "http://127.0.0.1:9", clientId: "app", clientSecret: "s", name: "Single sign-on", timeoutSeconds: 5 });
  });

  it("reads the scaling settings: Redis for shared bounds, the forgot-password bound, the metrics token", () => {
    expect(loadAuthConfig({})).toMatchObject({
      redisUrl: undefined,
      redisKeyPrefix: "keep-signed-in:",
      forgotRatePerMinute: 60,
      metricsToken: undefined,
    });
    const token = "a".repeat(32);
    expect(
      loadAuthConfig({ REDIS_URL: "redis://127.0.0.1:6379", REDIS_KEY_PREFIX: "app1:", AUTH_FORGOT_RATE_LIMIT: "30", METRICS_TOKEN: ` ${token} ` }),
    ).toMatchObject({ redisUrl: "redis://127.0.0.1:6379", redisKeyPrefix: "app1:", forgotRatePerMinute: 30, metricsToken: token });
    // A short token would be guessed: refused at start rather than served.
    expect(() => loadAuthConfig({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
  });
});
