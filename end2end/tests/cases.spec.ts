import { test, expect, STAFF_PASSWORD, logIn, demoPhone } from "./fixtures";
import * as path from "path";

// A complaint as a policyholder makes it (desktop, phone, and a phone without JavaScript):
// opened with a photo (six files are refused and what was typed stays on the form), taken
// and answered by its owner (首问负责制), and followed from the SMS link on a phone with no
// session: read the answer and reply, nothing else.
const customer: Record<string, number> = { desktop: 16, phone: 19, "no-js": 27 };
const PHOTO = path.join(__dirname, "../../server/tests/api/fixtures/photo.jpg");

test("a complaint with a photo, answered by its owner, followed from the SMS link @nojs", async ({ page, browser }, info) => {
  const n = customer[info.project.name];
  await logIn(page, demoPhone(n));
  await page.goto("/cases");
  await page.getByTestId("new-case").click();
  await expect(page).toHaveURL(/\/cases\/new$/);
  await page.getByLabel("投诉", { exact: true }).check();
  await page.locator("#about").selectOption("claim:");
  const text = `理赔款批下来一周了还没有到账，请帮忙查一下（${info.project.name}）。`;
  await page.locator("#text").fill(text);
  await page.locator("#case-files").setInputFiles(Array(6).fill(PHOTO));
  await page.getByTestId("case-submit").click();
  await expect(page).toHaveURL(/error=case_too_many_files/);
  await expect(page.getByRole("alert")).toContainText("5");
  // What was typed is still there; only the files are chosen again.
  await expect(page.locator("#text")).toHaveValue(text);
  await expect(page.getByLabel("投诉", { exact: true })).toBeChecked();
  await expect(page.locator("#about")).toHaveValue("claim:");
  await page.locator("#case-files").setInputFiles([PHOTO]);
  await page.getByTestId("case-submit").click();
  await expect(page).toHaveURL(/\/cases\/[A-Za-z0-9]+\?done=opened$/);
  await expect(page.getByTestId("case-done")).toBeVisible();
  await expect(page.getByTestId("case-state")).toHaveText("已受理");
  await expect(page.getByTestId("case-file")).toHaveCount(1);
  await expect(page.getByTestId("case-due")).toBeVisible();
  const caseNo = (await page.getByTestId("case-no").innerText()).trim();
  const casePath = new URL(page.url()).pathname;
  const base = new URL(page.url()).origin;

  // A supervisor takes it, sees the photo, and writes to the customer.
  const ctx = await browser.newContext({ ...info.project.use, baseURL: undefined });
  const s = await ctx.newPage();
  await s.goto(`${base}/staff/login`);
  await s.locator("#username").fill("super.zhang");
  await s.locator("#password").fill(STAFF_PASSWORD);
  await s.getByRole("button", { name: "登录", exact: true }).click();
  await expect(s).toHaveURL(/\/staff$/);
  await s.goto(`${base}/staff/cases`);
  await s.getByRole("link", { name: caseNo }).click();
  await s.getByTestId("take").click();
  await expect(s).toHaveURL(/done=taken/);
  await expect(s.getByTestId("case-owner")).toContainText("张");
  await expect(s.getByTestId("case-file")).toHaveCount(1);
  const answer = "您好，款项因账户名不一致被退回，已按您在线登记的收款账户重新支付，请留意到账短信。";
  await s.locator("#answer-form-text").fill(answer);
  await s.getByTestId("answer-form").getByRole("button", { name: "发送" }).click();
  await expect(s).toHaveURL(/done=replied/);

  // The SMS that tells the customer carries the case's short link.
  await s.goto(`${base}/staff/outbox`);
  const row = s.getByTestId("outbox-row").filter({ hasText: caseNo }).filter({ hasText: "给您留言" }).first();
  await expect(row).toBeVisible();
  const link = await row.getByTestId("outbox-link").getAttribute("href");
  expect(link).toMatch(/\/s\/[A-Za-z0-9]{10,}$/);
  await ctx.close();

  // The customer's phone, no session: the link, the ID check, that one case.
  const phone = await browser.newContext({ ...info.project.use, baseURL: undefined });
  const p = await phone.newPage();
  await p.goto(link!);
  await expect(p.getByRole("heading", { name: "投诉与咨询进度" })).toBeVisible();
  await p.getByLabel("身份证号后 4 位").fill(`${100 + n}8`);
  await p.getByRole("button", { name: "验证并继续" }).click();
  await expect(p).toHaveURL(new RegExp(`${casePath}$`));
  await expect(p.getByTestId("timeline")).toContainText("已按您在线登记的收款账户重新支付");
  await expect(p.getByTestId("link-only")).toBeVisible();
  await expect(p.getByTestId("withdraw-form")).toHaveCount(0);
  await p.locator("#reply-text").fill("收到了，谢谢。");
  await p.getByTestId("reply-form").getByRole("button", { name: "发送" }).click();
  await expect(p).toHaveURL(/done=replied/);
  await expect(p.getByTestId("timeline")).toContainText("收到了，谢谢");
  // The list of cases is not for a link's session: it is asked to sign in.
  await p.goto(`${base}/cases`);
  await expect(p).toHaveURL(/\/login/);
  await expect(p.getByTestId("login-form")).toBeVisible();
  await phone.close();

  // Signed in, the customer sees the whole exchange.
  await page.goto(casePath);
  await expect(page.getByTestId("timeline")).toContainText("收到了，谢谢");
  await expect(page.getByTestId("case-owner")).toContainText("张");
});
