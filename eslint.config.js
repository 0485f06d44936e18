// ESLint (flat config) for the pages' JavaScript: viz/static/*.js are classic browser scripts
// inlined in the pages (ES2020, no modules); the shared module gg.js defines `gategraph`, which
// the others use; tests/js are node's test runner's files.
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  // only the project's own scripts: never a virtual environment's, the built site's or node's
  {ignores: ["**/node_modules/**", "**/.ci-venv/**", "**/.venv/**", "**/site/**", "docs/demo/**", "out/**"]},
  js.configs.recommended,
  {
    files: ["viz/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "script",
      globals: {...globals.browser, gategraph: "readonly", module: "readonly"},
    },
    rules: {
      "no-var": "off",  // the pages are written in ES5 style with var, one function scope each
      "eqeqeq": "error",
      "no-implicit-globals": "off",
      "strict": ["error", "function"],
      "no-unused-vars": ["error", {args: "none"}],
    },
  },
  {
    files: ["viz/static/gg.js"],
    languageOptions: {globals: {...globals.browser, module: "readonly"}},
    rules: {"no-redeclare": ["error", {builtinGlobals: false}]},
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.js"],
    languageOptions: {ecmaVersion: 2022, sourceType: "commonjs", globals: {...globals.node}},
  },
];
