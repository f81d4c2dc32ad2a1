import { defineConfig, devices } from "@playwright/test";

// Debian's Chromium (TOOLCHAIN.md): Playwright's own browser download does not work here.
const chromium = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};

const PORT = Number(process.env.ANXIN_E2E_PORT || 3100);
export const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: "./tests",
  // Screenshots are taken by `make screenshots`, not by the test run.
  testIgnore: process.env.ANXIN_SCREENSHOTS ? [] : ["**/screenshots.spec.ts"],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  // One retry absorbs a slow moment on a loaded 2-core machine; a retried test is still reported as flaky.
  retries: 1,
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    locale: "zh-CN",
    trace: "retain-on-failure",
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], channel: undefined, launchOptions: chromium } },
    { name: "phone", use: { ...devices["Pixel 7"], launchOptions: chromium } },
    {
      // Every form must work before (and without) the wasm.
      name: "no-js",
      use: { ...devices["Pixel 7"], javaScriptEnabled: false, launchOptions: chromium },
      grep: /@nojs/,
    },
  ],
  webServer: {
    // A fresh SQLite database with demo data for every run.
    command: "rm -rf .data && mkdir -p .data && ../target/release/anxin serve",
    url: `${BASE_URL}/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      DATABASE_URL: "sqlite://.data/e2e.db",
      // What phones received (login codes in clear): the only place a test may read them.
      ANXIN_SMS_SANDBOX_LOG: ".data/sms-sandbox.log",
      ANXIN_ADDR: `127.0.0.1:${PORT}`,
      ANXIN_SITE_ROOT: "../target/site",
      ANXIN_DEMO: "1",
      RUST_LOG: "warn",
    },
  },
});
