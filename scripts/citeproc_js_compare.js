// Render citation records with citeproc-js, the processor of Zotero and Mendeley, to compare with
// what kb/csl/render.py (citeproc-py) gives.  A maintainer tool, run by hand (never at install or
// test time); its output is tests/data/citeproc_js.json, which tests/test_csl.py compares with.
//
//   npm install citeproc@2.4.63            (in any scratch directory)
//   .venv/bin/python scripts/citeproc_js_compare.py records > records.json
//   NODE_PATH=<scratch>/node_modules node scripts/citeproc_js_compare.js records.json <citeproc-py's locales dir> \
//       > tests/data/citeproc_js.json
const CSL = require('citeproc');
const fs = require('fs');
const path = require('path');

const [recordsFile, locales] = process.argv.slice(2);
const stylesDir = path.join(__dirname, '..', 'kb', 'csl', 'styles');
const styles = {oscola: 'oscola', bluebook: 'bluebook-law-review', chicago: 'chicago-notes-bibliography', apa: 'apa'};
const records = JSON.parse(fs.readFileSync(recordsFile, 'utf8'));
const out = {version: require('citeproc/package.json').version, rendered: {}};
for (const [name, items] of Object.entries(records)) {
  out.rendered[name] = {};
  for (const [style, file] of Object.entries(styles)) {
    const byId = Object.fromEntries(items.map(i => [i.id, i]));
    const sys = {
      retrieveLocale: lang => {
        const f = path.join(locales, `locales-${lang}.xml`);
        return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : fs.readFileSync(path.join(locales, 'locales-en-US.xml'), 'utf8');
      },
      retrieveItem: id => byId[id],
    };
    const engine = new CSL.Engine(sys, fs.readFileSync(path.join(stylesDir, file + '.csl'), 'utf8'));
    engine.setOutputFormat('text');
    if (style === 'apa') {
      engine.updateItems(items.map(i => i.id));
      out.rendered[name][style] = engine.makeBibliography()[1].map(x => x.trim()).join('\n');
    } else {
      const r = engine.processCitationCluster({citationItems: items.map(i => ({id: i.id})), properties: {noteIndex: 1}}, [], []);
      out.rendered[name][style] = r[1][0][1];
    }
  }
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
