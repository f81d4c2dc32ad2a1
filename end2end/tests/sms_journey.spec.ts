import { test, expect, STAFF_PASSWORD } from "./fixtures";

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
  await p.goto(link!);
  await expect(p.getByRole("heading", { name: "续保提醒" })).toBeVisible();
  await p.getByLabel("身份证号后 4 位").fill(`${100 + n}8`);
  await p.getByRole("button", { name: "验证并继续" }).click();
  await expect(p).toHaveURL(/\/renew$/);
  await p.getByTestId("pay-button").click();
  await expect(p.getByTestId("receipt")).toBeVisible({ timeout: 15_000 });
  await phone.close();
  expect(errors).toEqual([]);
});
