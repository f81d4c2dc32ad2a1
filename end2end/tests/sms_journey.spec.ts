import { test, expect, STAFF_PASSWORD } from "./fixtures";
import type { Page } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";

// What a phone downloads to make the renewal landing usable (HTML, CSS, JS, wasm as they
// went over the wire, brotli when the server has it): a budget, printed with its breakdown.
const LANDING_BUDGET = 60 * 1024;
// The islands' wasm, brotli, on any page that has islands.
const WASM_BUDGET = 100 * 1024;

/** Encoded body bytes of every response the page received, by URL path. */
function recordTransfers(p: Page): () => Promise<Map<string, number>> {
  const pending: Promise<void>[] = [];
  const bytes = new Map<string, number>();
  p.on("requestfinished", (r) => {
    pending.push(
      r.sizes().then((s) => {
        const key = new URL(r.url()).pathname;
        bytes.set(key, (bytes.get(key) ?? 0) + s.responseBodySize);
      }),
    );
  });
  return async () => {
    await p.waitForLoadState("load");
    await Promise.all(pending);
    return bytes;
  };
}

// The phone journey (DESIGN.md, journey 1): the renewal reminder SMS → its short link →
// a light check → pay → receipt. The server queues reminders when it starts; staff can
// read them at /staff/outbox, which is where a demo (and this test) takes the link from.
const customer: Record<string, number> = { desktop: 10, phone: 11, "no-js": 12 };

test("from the reminder SMS to a paid renewal on a phone @nojs", async ({ page, browser }, info) => {
  const n = customer[info.project.name];
  const masked = `138****${String(n).padStart(4, "0")}`;

  // A supervisor finds the reminder sent to this customer.
  await page.goto("/staff/login");
  await page.getByLabel("用户名").fill("super.zhang");
  await page.locator("#password").fill(STAFF_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/staff$/);
  // The newest renewal reminder (or auto-debit notice: its link leads to the same payable
  // renewal; offers already being paid get no reminder).
  const row = page.getByTestId("outbox-row").filter({ hasText: masked }).filter({ hasText: "续保提醒" }).first();
  await expect(async () => {
    await page.goto("/staff/outbox");
    await expect(row).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  const link = await row.getByTestId("outbox-link").getAttribute("href");
  expect(link).toMatch(/\/s\/[A-Za-z0-9]{10,}$/);

  // The customer's phone: no session, just the link.
  const phone = await browser.newContext({ ...info.project.use, baseURL: undefined });
  const p = await phone.newPage();
  const errors: string[] = [];
  p.on("pageerror", (e) => errors.push(e.message));
  p.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const transfers = recordTransfers(p);
  await p.goto(link!);
  await expect(p.getByRole("heading", { name: "续保提醒" })).toBeVisible();
  if (info.project.name === "phone") {
    const bytes = await transfers();
    const total = [...bytes.values()].reduce((a, b) => a + b, 0);
    const breakdown = [...bytes].map(([k, v]) => `${k}: ${v} B`).join(", ");
    console.log(`renewal landing: ${total} B over the wire (${breakdown})`);
    expect(total, `the renewal landing weighs ${total} B: ${breakdown}`).toBeLessThanOrEqual(LANDING_BUDGET);
    expect(bytes.size, "the landing itself was counted").toBeGreaterThan(0);
  }
  await p.getByLabel("身份证号后 4 位").fill(`${100 + n}8`);
  await p.getByRole("button", { name: "验证并继续" }).click();
  await expect(p).toHaveURL(/\/renew$/);
  await p.getByTestId("pay-button").click();
  await expect(p.getByTestId("receipt")).toBeVisible({ timeout: 15_000 });
  await phone.close();
  expect(errors).toEqual([]);
});

test("the islands' wasm stays under its budget, brotli", async ({}, info) => {
  test.skip(info.project.name !== "desktop", "a file on disk: once is enough");
  const pkg = path.join(__dirname, "..", "..", "target", "site", "pkg");
  const wasm = fs.readdirSync(pkg).filter((f) => f.endsWith(".wasm.br"));
  expect(wasm.length, "the build precompressed the wasm").toBeGreaterThan(0);
  for (const f of wasm) {
    const size = fs.statSync(path.join(pkg, f)).size;
    console.log(`${f}: ${size} B`);
    expect(size, `${f} is ${size} B brotli`).toBeLessThanOrEqual(WASM_BUDGET);
  }
});
