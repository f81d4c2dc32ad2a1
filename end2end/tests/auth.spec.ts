import { test, expect, logIn, demoPhone, STAFF_PASSWORD } from "./fixtures";

test("a policyholder logs in, sees their policies and logs out @nojs", async ({ page }, info) => {
  const n = info.project.name === "desktop" ? 1 : info.project.name === "phone" ? 2 : 3;
  await logIn(page, demoPhone(n));
  await expect(page.getByTestId("greeting")).toContainText("您好");
  const cards = page.getByTestId("policy-card");
  await expect(cards.first()).toBeVisible();
  // Policy numbers are masked.
  await expect(cards.first().locator(".policy-no")).toHaveText(/^P[A-Z]\*{4}\d{4}$/);

  await page.getByTestId("logout").click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});

test("a wrong password is explained in Chinese @nojs", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("手机号").fill(demoPhone(9));
  await page.locator("#password").fill("Not-My-Password-9");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByTestId("form-error")).toContainText("手机号或密码不正确");
});

test("the language switch is remembered across pages @nojs", async ({ page }) => {
  await page.goto("/login");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await page.getByTestId("lang-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await page.goto("/activate");
  await expect(page.getByRole("heading", { name: "Activate your account" })).toBeVisible();
  await page.getByTestId("lang-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByRole("heading", { name: "激活账户" })).toBeVisible();
});

test("the password field island hydrates and reveals the password", async ({ page }) => {
  await page.goto("/login");
  const input = page.locator("#password");
  await input.fill("secret-words-here");
  const reveal = page.getByRole("button", { name: "显示密码" });
  // The button only works once the wasm has hydrated the island: retry until it does.
  await expect(async () => {
    await reveal.click({ timeout: 1000 });
    await expect(input).toHaveAttribute("type", "text", { timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await page.getByRole("button", { name: "隐藏密码" }).click();
  await expect(input).toHaveAttribute("type", "password");
});

test("the login form works with the keyboard alone, and focus is always visible", async ({ page }, info) => {
  test.skip(info.project.name === "no-js");
  // Customer 15: only this test logs in as them.
  await page.goto("/login");
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const cs = getComputedStyle(el);
      return { id: el.id, text: (el.textContent || "").trim(), outline: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2 };
    });
  const tabTo = async (want: (f: { id: string; text: string }) => boolean) => {
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press("Tab");
      const f = await focused();
      expect(f.outline, `focus on #${f.id} "${f.text}" is visible`).toBe(true);
      if (want(f)) return;
    }
    throw new Error("never reached by Tab");
  };
  await tabTo((f) => f.id === "phone");
  await page.keyboard.type(demoPhone(15));
  await tabTo((f) => f.id === "password");
  await page.keyboard.type("Anxin-Demo-2026");
  await tabTo((f) => f.text === "显示密码");
  // Space on the focused button, once the island has hydrated.
  const input = page.locator("#password");
  await expect(async () => {
    await page.keyboard.press("Space");
    await expect(input).toHaveAttribute("type", "text", { timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await expect(page.locator(".password-field [aria-live]")).toHaveText("密码已显示");
  expect((await focused()).text, "focus stays on the button, which now says what it will do").toBe("隐藏密码");
  await page.keyboard.press("Enter");
  await expect(input).toHaveAttribute("type", "password");
  await expect(page.locator(".password-field [aria-live]")).toHaveText("密码已隐藏");
  await tabTo((f) => f.text === "登录");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/$/);
});

test("staff log in at /staff/login and a customer cannot open the console", async ({ page, context }, info) => {
  const user = info.project.name === "desktop" ? "agent.wang" : "super.zhang";
  await page.goto("/staff/login");
  await page.getByLabel("用户名").fill(user);
  await page.locator("#password").fill(STAFF_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByTestId("staff-greeting")).toBeVisible();
  // A staff session is not a customer session.
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await context.clearCookies();
  await logIn(page, demoPhone(info.project.name === "desktop" ? 4 : 5));
  await page.goto("/staff");
  await expect(page).toHaveURL(/\/staff\/login$/);
});

test("an unknown page gets a friendly 404 with a way home @nojs", async ({ page }) => {
  const res = await page.goto("/no/such/page");
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toContainText("页面不存在");
  await page.getByRole("link", { name: "返回首页" }).click();
  await expect(page).toHaveURL(/\/login$/);
});
