// DOM helpers. Data from the API only ever reaches the page through textContent and text nodes, never
// innerHTML: el() is the one way views build elements.

export const $ = (id) => document.getElementById(id);

export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "testid") node.setAttribute("data-testid", value);
      else if (key === "data") {
        for (const [name, v] of Object.entries(value)) {
          if (v !== null && v !== undefined) node.dataset[name] = String(v);
        }
      } else if (key === "text") node.textContent = String(value);
      else if (key === "value" || key === "checked" || key === "selected" || key === "disabled") node[key] = value;
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, String(value));
    }
  }
  appendChildren(node, children);
  return node;
}

export function appendChildren(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function setHidden(node, hidden) {
  node.hidden = Boolean(hidden);
}

// A <time> with the exact moment in its title, or a plain placeholder when there is no date.
export function timeElement(date, text, className) {
  if (!date) return el("span", { class: className }, text || "—");
  return el("time", { class: className, datetime: date.toISOString(), title: date.toLocaleString() }, text);
}
