// Every sentence this page shows by itself comes from domain.yml, through /config.js (webchat/server.py):
// the code names the response it means and never words one itself.
export const config = window.FRONTDESK_CONFIG || {};

const texts = config.texts && typeof config.texts === "object" ? config.texts : null;

// False when /config.js did not load: index.html then has the only words the page can still show.
export const hasTexts = texts !== null;

export function text(name) {
  return hasTexts && typeof texts[name] === "string" ? texts[name] : "";
}
