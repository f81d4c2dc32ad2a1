import { test, expect, logIn, demoPhone } from "./fixtures";

// `make screenshots` regenerates docs/screenshots/ (desktop and phone).
const shot = (page: import("@playwright/test").Page, name: string, project: string) =>
  page.screenshot({ path: `../docs/screenshots/${name}-${project}.png`, fullPage: true });

test("screenshots of the main pages", async ({ page }, info) => {
  test.skip(info.project.name === "no-js");
  const p = info.project.name;
  // Customers 8 (desktop) and 9 (phone): a renewal is due and nobody else pays it.
  const n = p === "desktop" ? 8 : 9;
  for (const [name, path] of [["login", "/login"], ["activate", "/activate"], ["code-login", "/login/code"], ["verify", "/verify"], ["not-found", "/no/such/page"]]) {
    await page.goto(path);
    await shot(page, name, p);
  }
  await page.goto("/login?error=bad_credentials");
  await page.evaluate(() => (document.documentElement.style.fontSize = "200%"));
  await shot(page, "login-error-text-200", p);
  await logIn(page, demoPhone(n));
  await shot(page, "home", p);
  await page.goto("/policies");
  await shot(page, "policies", p);
  await page.getByTestId("renew-link").first().click();
  await shot(page, "renewal-step-up", p);
  await page.getByLabel("身份证号后 4 位").fill(`${100 + n}8`);
  await page.getByRole("button", { name: "确认", exact: true }).click();
  await shot(page, "renewal", p);
  await page.getByTestId("pay-button").click();
  await expect(page.getByTestId("receipt")).toBeVisible({ timeout: 15_000 });
  await shot(page, "receipt", p);
  await page.getByRole("link", { name: "返回保单" }).click();
  await shot(page, "policy", p);
  await page.getByRole("link", { name: "查看电子保单" }).click();
  await shot(page, "e-policy", p);
  const policy = page.url().replace(/\/document$/, "");
  await page.goto("/settings/notifications");
  await shot(page, "notifications", p);
  // The same pages in English, and with the text enlarged to 200 %.
  await page.context().addCookies([{ name: "anxin_lang", value: "en", url: new URL(page.url()).origin }]);
  for (const [name, path] of [["home-en", "/"], ["policy-en", policy], ["e-policy-en", `${policy}/document`]]) {
    await page.goto(path);
    await shot(page, name, p);
  }
  await page.context().addCookies([{ name: "anxin_lang", value: "zh-CN", url: new URL(page.url()).origin }]);
  for (const [name, path] of [["policies-text-200", "/policies"], ["policy-text-200", policy]]) {
    await page.goto(path);
    await page.evaluate(() => (document.documentElement.style.fontSize = "200%"));
    await shot(page, name, p);
  }
  // The SMS link landing page, as a phone sees it before the check.
  await page.context().clearCookies();
  await page.goto("/staff/login");
  await page.getByLabel("用户名").fill("super.zhang");
  await page.locator("#password").fill("Anxin-Staff-2026");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.goto("/staff/outbox");
  await shot(page, "staff-outbox", p);
  const link = await page.getByTestId("outbox-link").first().getAttribute("href");
  await page.context().clearCookies();
  await page.goto(link!);
  await shot(page, "sms-link", p);
});

test("screenshots of refusals: limits, codes starred out, forged and oversized requests", async ({ page }, info) => {
  test.skip(info.project.name === "no-js");
  const p = info.project.name;
  const n = p === "desktop" ? 10 : 11;
  // A login code asked for, then the outbox as a supervisor reads it: the code starred out.
  await page.goto("/login/code");
  await page.getByLabel("手机号").fill(demoPhone(n));
  await page.getByRole("button", { name: /获取验证码|发送验证码/ }).click();
  await shot(page, "code-sent", p);
  for (const [name, path] of [
    ["codes-limited", "/login/code?error=codes_limited&until=1796160000"],
    ["busy", "/login?error=busy"],
    ["missing-field", "/login?error=missing_field"],
  ]) {
    await page.goto(path);
    await shot(page, name, p);
  }
  await page.goto("/staff/login");
  await page.getByLabel("用户名").fill("super.zhang");
  await page.locator("#password").fill("Anxin-Staff-2026");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.goto("/staff/outbox");
  await expect(page.getByText("******").first()).toBeVisible();
  await shot(page, "staff-outbox-codes", p);
  // What a forged cross-site post and an oversized form get, drawn as the browser would.
  const forged = await page.request.post("/api/logout_everywhere", { headers: { Origin: "http://evil.example" } });
  const huge = await page.request.post("/api/login", { form: { phone: "1".repeat(3_000_000) } });
  for (const [name, res] of [["cross-site-403", forged], ["too-large-413", huge]] as const) {
    const body = await res.text();
    await page.route("**/__shot", (route) => route.fulfill({ status: 200, contentType: "text/html", body }));
    await page.goto("/__shot");
    await shot(page, name, p);
    await page.unroute("**/__shot");
  }
  // Staff viewing as a customer who try to act for them are told why.
  await page.context().clearCookies();
  await logIn(page, demoPhone(n));
  await page.goto("/settings/notifications?error=read_only");
  await shot(page, "read-only", p);
});
