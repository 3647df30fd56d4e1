// What both history lists (tickets, bot-only conversations) share: one page of results from the API, and the
// total with Previous / Next links under the table.
import { report } from "../alerts.js";
import { api } from "../api.js";
import { el } from "../dom.js";
import { state } from "../state.js";

// The page's data, or null when the request failed (already reported) or the view was left meanwhile.
export async function fetchPage(page, path, query) {
  query.set("page", String(page.number));
  let data;
  try {
    data = await api("GET", `${path}?${query}`);
  } catch (error) {
    report(error);
    return null;
  }
  return state.history === page ? data : null;
}

// hrefFor(params) gives the link to another page of the same list; noun is the singular of what is counted.
export function pager(page, data, params, noun, hrefFor) {
  const pages = Math.max(Math.ceil(data.total / data.page_size), 1);
  const link = (n, text) => {
    const q = new URLSearchParams(params);
    q.delete("page");
    if (n > 1) q.set("page", String(n));
    return el("a", { class: "btn btn-small", href: hrefFor(q) }, text);
  };
  return el("div", { class: "actions pad" },
    el("span", { class: "muted", testid: "history-total" },
      `${data.total} ${noun}${data.total === 1 ? "" : "s"} · page ${page.number} of ${pages}`),
    page.number > 1 ? link(page.number - 1, "Previous") : null,
    page.number < pages ? link(page.number + 1, "Next") : null);
}
