import { test, expect, logIn, demoPhone, STAFF_PASSWORD, Page } from "./fixtures";
import * as fs from "fs";

// WCAG 2.2 AA with axe-core on every page, on desktop and phone; also: no raw
// translation keys, and touch targets of at least 44×44 px on the phone.
const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const KEY = /\b(app|nav|login|code|activate|staff|home|line|status|password|error|sms|policy|claim|renewal|payment|epolicy|verify|link|settings|outbox)\.[a-z_]+(\.[a-z_]+)*\b/;

async function audit(page: Page, name: string, phone: boolean) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    // @ts-ignore — injected above
    const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => n.target.join(" ")).slice(0, 3) }));
  });
  const serious = result.filter((v: any) => v.impact === "serious" || v.impact === "critical");
  expect(serious, `${name}: serious accessibility violations`).toEqual([]);
  const text = await page.locator("body").innerText();
  expect(text.match(KEY)?.[0] ?? null, `${name}: a raw translation key is shown`).toBeNull();
  if (phone) {
    const small = await page.evaluate(() =>
      Array.from(document.querySelectorAll("a, button, input:not([type=hidden]), select, label.method, label.check"))
        .filter((el) => {
          const r = (el as HTMLElement).getBoundingClientRect();
          const inline = el.tagName === "A" && getComputedStyle(el).display === "inline" && el.closest("p, li, td, dd");
          // Off-screen until focused (the skip link) is not a target yet.
          return r.width > 0 && r.bottom > 0 && !inline && (r.height < 44 || r.width < 44) && !(el as HTMLInputElement).type?.match(/radio|checkbox/);
        })
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${(el.textContent || "").trim().slice(0, 20)}"`),
    );
    expect(small, `${name}: touch targets smaller than 44×44`).toEqual([]);
  }
}

test("public pages are accessible", async ({ page }, info) => {
  test.skip(info.project.name === "no-js");
  const phone = info.project.name === "phone";
  for (const path of ["/login", "/login/code", "/activate", "/verify", "/verify?code=NOSUCHCODE1", "/staff/login", "/s/NoSuchLink12", "/no/such/page"]) {
    await page.goto(path);
    await audit(page, path, phone);
  }
  await page.goto("/login?error=bad_credentials");
  await audit(page, "login with an error", phone);
});

test("signed-in pages are accessible", async ({ page }, info) => {
  test.skip(info.project.name === "no-js");
  const phone = info.project.name === "phone";
  // Customers 13 and 14: read-only here, so no other test is disturbed.
  await logIn(page, demoPhone(phone ? 14 : 13));
  await audit(page, "home", phone);
  await page.goto("/policies");
  await audit(page, "policies", phone);
  await page.locator(".policy-product a").first().click();
  await audit(page, "policy", phone);
  await page.goto("/settings/notifications");
  await audit(page, "settings", phone);
  await page.goto("/policies");
  const renew = page.getByTestId("renew-link");
  if (await renew.count()) {
    await renew.first().click();
    await audit(page, "renewal", phone);
  }
  await page.context().clearCookies();
  await page.goto("/staff/login");
  await page.getByLabel("用户名").fill("admin.chen");
  await page.locator("#password").fill(STAFF_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await audit(page, "staff home", phone);
  await page.goto("/staff/outbox");
  await audit(page, "outbox", phone);
});
