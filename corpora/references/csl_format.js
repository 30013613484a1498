// Format CSL-JSON items with citeproc-js (the CSL processor Zotero uses).
// usage: node csl_format.js ITEMS.json STYLE.csl LOCALE_DIR MODE(bib|note) > OUT.json
// Prints a JSON list of strings, one per item, in input order. Our own driver: the CSL styles
// and locales stay outside the project (CC BY-SA); citeproc comes from npm.
const fs = require("fs");
const CSL = require("citeproc");
const [itemsPath, stylePath, localeDir, mode] = process.argv.slice(2);
const items = JSON.parse(fs.readFileSync(itemsPath, "utf8"));
const byId = Object.fromEntries(items.map((it) => [it.id, it]));
const sys = {
  retrieveLocale: (lang) => {
    const p = `${localeDir}/locales-${lang}.xml`;
    return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : fs.readFileSync(`${localeDir}/locales-en-US.xml`, "utf8");
  },
  retrieveItem: (id) => byId[id],
};
const style = fs.readFileSync(stylePath, "utf8");
const out = [];
for (const it of items) {
  const engine = new CSL.Engine(sys, style, it.language === "zh-CN" ? "zh-CN" : "en-US");
  engine.setOutputFormat("text");
  if (mode === "note") {
    const r = engine.processCitationCluster({ citationItems: [{ id: it.id, locator: it._locator, label: "page" }], properties: { noteIndex: 1 } }, [], []);
    out.push(r[1][0][1]);
  } else {
    engine.updateItems([it.id]);
    const b = engine.makeBibliography();
    out.push(b[1][0].trim());
  }
}
process.stdout.write(JSON.stringify(out));
