#!/usr/bin/env node
// Builds the docs site into docs/site/out/: the README and the guides in docs/*.md as HTML pages
// (marked), and the API reference generated from the doc comments of every published package
// (TypeDoc) under api/. Run through `npm run docs`, which installs this folder's tools first.
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Marked } from 'marked'
import { Application } from 'typedoc'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../..')
const out = join(here, 'out')

/** The pages, in the order the navigation lists them: [source, output, title]. */
const GUIDES = [
  ['README.md', 'index.html', 'Overview'],
  ['docs/guide.md', 'guide.html', 'Guide'],
  ['docs/loading.md', 'loading.html', 'Loading'],
  ['docs/migrations.md', 'migrations.html', 'Migrations'],
  ['docs/plugins.md', 'plugins.html', 'Plugins'],
  ['docs/reliability.md', 'reliability.html', 'Reliability'],
  ['docs/scaling.md', 'scaling.html', 'Scaling out'],
  ['docs/packaging.md', 'packaging.html', 'Packaging'],
  ['docs/DESIGN.md', 'design.html', 'Design'],
]
const pageFor = new Map(GUIDES.map(([source, page]) => [source, page]))

const slug = (text) => text.toLowerCase().replace(/<[^>]+>/g, '').replace(/[^\p{L}\p{N}\s-]/gu, '').trim().replace(/\s+/g, '-')
const escape = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])

/** Markdown → HTML with heading anchors, and links between the guides pointing at their pages. */
function renderer(source) {
  const base = dirname(source)
  return new Marked({
    gfm: true,
    renderer: {
      heading({ tokens, depth }) {
        const text = this.parser.parseInline(tokens)
        return `<h${depth} id="${slug(text)}">${text}</h${depth}>\n`
      },
      code({ text, lang }) {
        return `<pre class="code"><code class="language-${escape(lang ?? 'text')}">${escape(text)}</code></pre>\n`
      },
      link({ href, tokens }) {
        const [path, hash] = href.split('#')
        const target = path === '' ? undefined : join(base, path).replace(/\\/g, '/')
        let url = href
        if (target !== undefined && pageFor.has(target)) url = pageFor.get(target) + (hash ? `#${hash}` : '')
        else if (target !== undefined && !/^[a-z]+:/.test(href)) url = `https://github.com/athanor-orm/athanor/blob/main/${target}${hash ? `#${hash}` : ''}`
        return `<a href="${escape(url)}">${this.parser.parseInline(tokens)}</a>`
      },
    },
  })
}

function layout(title, body) {
  const nav = GUIDES.map(([, page, name]) => `<a href="${page}">${name}</a>`).join('\n') + '\n<a href="api/index.html">API reference</a>'
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Athanor</title><link rel="icon" href="favicon.svg"><link rel="stylesheet" href="style.css"></head>
<body><nav>${nav}</nav><main>${body}</main></body></html>
`
}

const STYLE = `body{margin:0;display:flex;font:16px/1.55 system-ui,sans-serif;color:#1d1d1f}
nav{position:sticky;top:0;align-self:flex-start;min-width:11rem;padding:1.5rem 1rem;display:flex;flex-direction:column;gap:.4rem;border-right:1px solid #ddd;height:100vh;box-sizing:border-box}
nav a{color:#6a3d9a;text-decoration:none}main{max-width:52rem;padding:1.5rem 2.5rem}
pre.code{background:#f6f6f8;padding:.8rem 1rem;overflow-x:auto;border-radius:6px;font-size:14px}code{font-family:ui-monospace,monospace}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.3rem .6rem;vertical-align:top}`

async function buildApi() {
  const packages = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces
  const app = await Application.bootstrapWithPlugins({
    entryPoints: packages.map((dir) => join(root, dir, 'src/index.ts')),
    tsconfig: join(here, 'tsconfig.json'),
    name: 'Athanor API reference',
    readme: 'none',
    excludeInternal: true,
    excludePrivate: true,
    // The sources are type-checked by the repository's own TypeScript (7); TypeDoc reads them
    // with the TypeScript it supports and only needs their declarations.
    skipErrorChecking: true,
    logLevel: 'Warn',
    favicon: join(here, 'favicon.svg'),
    disableGit: true,
    basePath: root,
    sourceLinkTemplate: 'https://github.com/athanor-orm/athanor/blob/main/{path}#L{line}',
  })
  const project = await app.convert()
  if (project === undefined) throw new Error('TypeDoc could not convert the packages (see the messages above).')
  await app.generateDocs(project, join(out, 'api'))
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
for (const [source, page, title] of GUIDES) {
  const html = renderer(source).parse(readFileSync(join(root, source), 'utf8'))
  writeFileSync(join(out, page), layout(title, html))
}
writeFileSync(join(out, 'style.css'), STYLE)
cpSync(join(here, 'favicon.svg'), join(out, 'favicon.svg'))
await buildApi()
console.log(`docs site: ${join(out, 'index.html')} (${GUIDES.length} pages; API reference in api/)`)
