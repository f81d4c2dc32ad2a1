import { test, expect, STAFF_PASSWORD, logIn, demoPhone } from "./fixtures";
import * as path from "path";

// Journey 2: report a claim from the phone with a photo, then follow it from the SMS
// link the claim's number arrives in, and send a missing document from there.
const customer: Record<string, number> = { desktop: 21, phone: 22, "no-js": 23 };
const PHOTO = path.join(__dirname, "../../server/tests/api/fixtures/photo.jpg");
const SCAN = path.join(__dirname, "../../server/tests/api/fixtures/scan.png");

test("report a claim with a photo, then follow it from the SMS link @nojs", async ({ page, browser }, info) => {
  const n = customer[info.project.name];
  await logIn(page, demoPhone(n));
  await page.goto("/claims");
  await page.getByTestId("report-claim").click();
  // More than one policy in force: choose the first.
  if (await page.getByTestId("claim-policy").count()) {
    await page.getByTestId("claim-policy").first().click();
  }
  const form = page.getByTestId("claim-form");
  await expect(form).toBeVisible();
  await page.locator("#place").fill("上海市徐汇区漕溪北路");
  await page.locator("#description").fill("停车时被后车追尾，后保险杠受损");
  await page.locator("#amount").fill("2600");
  await form.locator('input[type="file"]').first().setInputFiles(PHOTO);
  await page.getByTestId("claim-submit").click();
  await expect(page).toHaveURL(/\/claims\/[A-Za-z0-9]+\?done=reported$/);
  await expect(page.getByTestId("claim-done")).toBeVisible();
  const claimNo = (await page.getByTestId("claim-no").innerText()).trim();
  expect(claimNo).toMatch(/^CL\d{10}$/);
  await expect(page.getByTestId("timeline")).toBeVisible();
  await expect(page.getByTestId("claim-file")).toHaveCount(1);

  // The SMS with the claim's number, as a supervisor sees it in the outbox.
  const staff = await browser.newContext({ ...info.project.use, baseURL: undefined });
  const s = await staff.newPage();
  const base = new URL(page.url()).origin;
  await s.goto(`${base}/staff/login`);
  await s.locator("#username").fill("super.zhang");
  await s.locator("#password").fill(STAFF_PASSWORD);
  await s.getByRole("button", { name: "登录", exact: true }).click();
  await expect(s).toHaveURL(/\/staff$/);
  const row = s.getByTestId("outbox-row").filter({ hasText: claimNo }).first();
  await expect(async () => {
    await s.goto(`${base}/staff/outbox`);
    await expect(row).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  const link = await row.getByTestId("outbox-link").getAttribute("href");
  await staff.close();

  // The phone: no session, only the link; a light check lands on the claim.
  const phone = await browser.newContext({ ...info.project.use, baseURL: undefined });
  const p = await phone.newPage();
  const errors: string[] = [];
  p.on("pageerror", (e) => errors.push(e.message));
  p.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await p.goto(link!);
  await p.getByLabel("身份证号后 4 位").fill(`${100 + n}8`);
  await p.getByRole("button", { name: "验证并继续" }).click();
  await expect(p).toHaveURL(/\/claims\/[A-Za-z0-9]+$/);
  await expect(p.getByTestId("claim-no")).toHaveText(claimNo);
  await expect(p.getByTestId("claim-waiting")).toBeVisible();
  const missing = p.locator('[data-testid="doc"][data-state="missing"]').first();
  await missing.locator('input[type="file"]').setInputFiles(SCAN);
  await missing.getByRole("button", { name: "上传" }).click();
  await expect(p).toHaveURL(/done=uploaded/);
  await expect(p.locator('[data-testid="doc"][data-state="received"]')).toHaveCount(2);
  await phone.close();
  expect(errors).toEqual([]);
});
