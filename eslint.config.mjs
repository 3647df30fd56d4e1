// ESLint for the browser code: the agent console (console/static) and the web chat (webchat/static), both
// ES modules loaded by <script type="module">. `make eslint` runs it (and `make test`).
import js from "@eslint/js";
import globals from "globals";

// The pages build their DOM from text nodes only, so nothing a customer or agent typed is ever parsed as HTML.
const NO_HTML_PARSING = [
  {
    selector: "AssignmentExpression > MemberExpression.left[property.name=/^(innerHTML|outerHTML)$/]",
    message: "Build elements with createElement/textContent (el() in the console), never from HTML.",
  },
  {
    selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln|createContextualFragment)$/]",
    message: "Build elements with createElement/textContent (el() in the console), never from HTML.",
  },
];

export default [
  {
    ignores: ["**/node_modules/**"],
  },
  js.configs.recommended,
  {
    files: ["console/static/**/*.js", "webchat/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    linterOptions: {
      reportUnusedDisableDirectives: "error",
    },
    rules: {
      "no-restricted-syntax": ["error", ...NO_HTML_PARSING],
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "always"],
      "no-unused-vars": ["error", { args: "after-used" }],
      "no-shadow": "error",
    },
  },
  {
    // The widget's launcher runs on a store's page as a classic script (it finds its own tag).
    files: ["webchat/static/widget.js"],
    languageOptions: { sourceType: "script" },
  },
  {
    // The customer's page words none of its sentences: they come from domain.yml through /config.js.
    files: ["webchat/static/**/*.js"],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...NO_HTML_PARSING,
        {
          selector: "AssignmentExpression[left.property.name=/^(textContent|placeholder|title|alt)$/] > Literal.right",
          message: "Customer-facing text comes from config.texts (domain.yml utter_webchat_* responses).",
        },
        {
          selector: "AssignmentExpression[left.property.name=/^(textContent|placeholder|title|alt)$/] > TemplateLiteral.right",
          message: "Customer-facing text comes from config.texts (domain.yml utter_webchat_* responses).",
        },
        {
          selector: "CallExpression[callee.property.name='setAttribute'][arguments.0.value=/^(aria-label|title|alt|placeholder)$/] > Literal.arguments:nth-child(2)",
          message: "Customer-facing text comes from config.texts (domain.yml utter_webchat_* responses).",
        },
      ],
    },
  },
];
