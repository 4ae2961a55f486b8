// The run viewer's page: plain JavaScript, no build step. Every text from a run is put in the
// page as text (never as HTML); only the SVG charts, drawn and escaped by the server, are HTML.

const app = document.getElementById("app");
const crumbs = document.getElementById("crumbs");

/** Builds an element: h("td", {class: "num"}, "1", child…). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** An element holding server-drawn SVG. */
function svgBox(markup, cls = "") {
  const div = h("div", { class: cls });
  div.innerHTML = markup;
  return div;
}

async function api(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const x of [].concat(v)) if (x !== undefined && x !== null) q.append(k, x);
  }
  const res = await fetch(`${path}?${q}`);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? res.statusText);
  return body;
}

const enc = encodeURIComponent;
const pct = (v) => (v === null || v === undefined ? "–" : `${(100 * v).toFixed(1)}%`);
const pts = (v) => (v === null || v === undefined ? "–" : v.toFixed(2));
const num = (v, d = 3) =>
  v === null || v === undefined || Number.isNaN(v)
    ? "–"
    : Number.isInteger(v)
    ? String(v)
    : v.toFixed(d);
const badge = (status) => h("span", { class: `badge ${status}`, "data-status": status }, status);
const short = (s, n = 140) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const text = (instruction) =>
  typeof instruction === "string"
    ? instruction
    : (instruction ?? []).map((m) => `[${m.role}]\n${m.content}`).join("\n\n");

function setCrumbs(...parts) {
  crumbs.replaceChildren(
    ...parts.flatMap(([label, href]) => [
      href ? h("a", { href }, label) : h("span", {}, label),
      h("span", {}, "›"),
    ]).slice(0, -1),
  );
}

function route() {
  const hash = location.hash.slice(1) || "/";
  const [path, query = ""] = hash.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  const view = {
    "": () => home(),
    run: () => runPage(parts[1]),
    stage: () => stagePage(parts[1], parts[2], params),
    item: () => itemPage(parts[1], parts[2], Number(parts[3])),
    compare: () => comparePage(params),
  }[parts[0] ?? ""];
  app.replaceChildren(h("p", { class: "muted" }, "loading…"));
  (view ?? home)().catch((err) => app.replaceChildren(h("p", { class: "error" }, err.message)));
}

function usageCells(s) {
  const u = s.usage ?? {};
  const c = s.counts ?? {};
  const reasons = Object.entries(c.rejectReasons ?? {}).map(([r, n]) => `${r} ${n}`).join(", ");
  return [
    h("td", { class: "num" }, num(c.records)),
    h("td", {}, `${num(c.rejects)}${reasons ? ` (${reasons})` : ""}`),
    h("td", { class: "num" }, num(u.requests)),
    h("td", { class: "num" }, num(u.cacheHits)),
    h(
      "td",
      { class: "num" },
      u.promptTokens === undefined ? "–" : `${u.promptTokens} / ${u.completionTokens}`,
    ),
    h("td", { class: "num" }, s.timings ? `${s.timings.seconds.toFixed(2)} s` : "–"),
  ];
}

const STAGE_HEAD = [
  "stage",
  "task",
  "status",
  "records",
  "rejects (by reason)",
  "requests",
  "cache hits",
  "tokens in / out",
  "time",
];

function stageRow(run, s, extra = []) {
  return h(
    "tr",
    {
      class: "link",
      "data-stage": s.id,
      onclick: () => (location.hash = `#/stage/${enc(run)}/${enc(s.id)}`),
    },
    h("td", {}, h("a", { href: `#/stage/${enc(run)}/${enc(s.id)}` }, s.id)),
    h("td", {}, s.task ?? "?"),
    h(
      "td",
      {},
      badge(s.status),
      s.reason ? h("div", { class: "reason" }, short(s.reason, 200)) : null,
    ),
    ...usageCells(s),
    ...extra,
  );
}

async function home() {
  setCrumbs(["runs"]);
  const runs = await api("/api/runs");
  const selected = new Set();
  const button = h("button", {
    id: "compare",
    disabled: true,
    onclick: () => (location.hash = `#/compare?${
      [...selected].map((e) => `e=${enc(e)}`).join("&")
    }`),
  }, "Compare selected evaluations");
  const pick = (key) => (ev) => {
    ev.stopPropagation();
    if (ev.target.checked) selected.add(key);
    else selected.delete(key);
    button.disabled = selected.size < 2;
  };
  app.replaceChildren(
    h("h1", {}, "Runs"),
    h(
      "p",
      { class: "muted" },
      "Tick the evaluate stages of two or more runs (or judges) to compare them.",
    ),
    button,
    ...runs.map((run) =>
      h(
        "section",
        { "data-run": run.name },
        h(
          "h2",
          {},
          h("a", { href: `#/run/${enc(run.name)}` }, run.name),
          " ",
          h("span", { class: "muted" }, run.dir),
          " ",
          run.stages.some((s) => s.task === "evaluate")
            ? h(
              "label",
              { class: "muted" },
              h("input", {
                type: "checkbox",
                "data-compare-run": run.name,
                onclick: (ev) => {
                  // Every evaluation of the run: one judge's row of the headline table.
                  for (
                    const box of document.querySelectorAll(
                      `input[data-compare^="${CSS.escape(run.name)}/"]`,
                    )
                  ) {
                    if (box.checked !== ev.target.checked) box.click();
                  }
                },
              }),
              " all its evaluations",
            )
            : null,
        ),
        h(
          "table",
          {},
          h("tr", {}, ...STAGE_HEAD.map((x) => h("th", {}, x)), h("th", {}, "compare")),
          ...run.stages.map((s) =>
            stageRow(run.name, s, [
              h(
                "td",
                {},
                s.task === "evaluate" && s.status !== "partial"
                  ? h("input", {
                    type: "checkbox",
                    "data-compare": `${run.name}/${s.id}`,
                    onclick: pick(`${run.name}/${s.id}`),
                  })
                  : null,
              ),
            ])
          ),
        ),
      )
    ),
  );
}

async function runPage(name) {
  setCrumbs(["runs", "#/"], [name]);
  const run = await api("/api/run", { run: name });
  app.replaceChildren(
    h("h1", {}, `Run ${run.name}`),
    h("p", { class: "muted" }, run.dir),
    svgBox(run.graph, "graph box"),
    h("h2", {}, "Stages"),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { id: "stages" },
        h("tr", {}, ...STAGE_HEAD.map((x) => h("th", {}, x))),
        ...run.stages.map((s) => stageRow(run.name, s)),
      ),
    ),
  );
}

async function stagePage(runName, stageId, params) {
  setCrumbs(["runs", "#/"], [runName, `#/run/${enc(runName)}`], [stageId]);
  const stage = await api("/api/stage", { run: runName, stage: stageId });
  const file = params.get("file") === "rejects" ? "rejects" : "output";
  const parts = [
    h("h1", {}, `${stageId} `, badge(stage.status)),
    stage.reason ? h("p", { class: "reason" }, stage.reason) : null,
    h(
      "table",
      {},
      h("tr", {}, ...STAGE_HEAD.slice(1).map((x) => h("th", {}, x))),
      h(
        "tr",
        {},
        h("td", {}, stage.task ?? "?"),
        h("td", {}, badge(stage.status)),
        ...usageCells(stage),
      ),
    ),
  ];
  const pending = Object.values(stage.files).find((f) => f.pending);
  if (pending) {
    // A large file's columns are still being built: look again shortly.
    parts.push(
      h(
        "p",
        { class: "muted", id: "pending" },
        `Indexing ${pending.count ?? "the"} records for filters and charts…`,
      ),
    );
    const hash = location.hash;
    setTimeout(() => location.hash === hash && route(), 2000);
  }
  if (stage.summary) parts.push(h("h2", {}, "Scores (summary.json)"), summaryTables(stage.summary));
  if (stage.charts.length) {
    const charts = h("div", { class: "charts" });
    for (const c of stage.charts) charts.append(svgBox(c));
    parts.push(h("h2", {}, "Charts"), charts);
  }
  parts.push(h("h2", {}, "Records"), await recordsBrowser(runName, stage, file, params));
  if (stage.manifest) {
    parts.push(
      h("h2", {}, "Manifest"),
      h(
        "details",
        {},
        h("summary", {}, `${stageId}.manifest.json`),
        h("pre", { id: "manifest" }, JSON.stringify(stage.manifest, null, 2)),
      ),
    );
  }
  if (stage.failure) {
    parts.push(
      h("h2", {}, "Failure"),
      h("pre", { class: "error" }, `${stage.failure.at}\n${stage.failure.message}`),
    );
  }
  app.replaceChildren(...parts.filter(Boolean));
}

function summaryTables(summary) {
  // Headline scores first (no "/": not per subset; "_score": the benchmark's own aggregate).
  const rank = ([k]) => (k.includes("/") ? 2 : k.endsWith("_score") ? 0 : 1);
  const official = Object.entries(summary.official ?? {}).sort((a, b) => rank(a) - rank(b));
  const rows = [["overall", summary.overall], ...Object.entries(summary.subsets ?? {})];
  const keys = [...new Set(rows.flatMap(([, m]) => Object.keys(m)))].filter((k) =>
    !/_(lo|hi)$/.test(k)
  );
  const cell = (m, k) => {
    const v = m[k];
    if (k === "n" || k === "items") return num(v);
    if (k.startsWith("mean_score")) return num(v, 2);
    const ci = m[`${k}_lo`] !== undefined ? ` [${pct(m[`${k}_lo`])}, ${pct(m[`${k}_hi`])}]` : "";
    return `${pct(v)}${ci}`;
  };
  const extra = Object.entries(summary).filter(([k]) =>
    !["overall", "subsets", "official"].includes(k)
  );
  return h(
    "div",
    { id: "summary" },
    official.length
      ? h(
        "table",
        { id: "official" },
        h("tr", {}, h("th", {}, "official score"), h("th", { class: "num" }, "points")),
        ...official.map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", { class: "num" }, pts(v)))),
      )
      : null,
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        {},
        h(
          "tr",
          {},
          h("th", {}, "subset"),
          ...keys.map((k) => h("th", {}, k)),
        ),
        ...rows.map(([name, m]) =>
          h("tr", {}, h("td", {}, name), ...keys.map((k) => h("td", { class: "num" }, cell(m, k))))
        ),
      ),
    ),
    ...extra.map(([k, v]) =>
      h("details", {}, h("summary", {}, k), h("pre", {}, JSON.stringify(v, null, 2)))
    ),
  );
}

/** The filter form and one page of records; the form's state lives in the URL. */
async function recordsBrowser(runName, stage, file, params) {
  const info = stage.files[file];
  const wrap = h("div", { id: "records" });
  const go = (next) => (location.hash = `#/stage/${enc(runName)}/${enc(stage.id)}?${next}`);
  const fileSelect = h(
    "select",
    { name: "file" },
    ...["output", "rejects"].filter((f) => stage.files[f]).map((f) =>
      h("option", { value: f, selected: f === file }, `${f} (${stage.files[f].count})`)
    ),
  );
  if (!info) return h("p", { class: "muted" }, "No records file yet.");
  const form = h("form", { class: "filters", id: "filters" }, h("label", {}, "file", fileSelect));
  for (const [name, values] of Object.entries(info.categories ?? {})) {
    if (values.length < 2 && !params.get(`cat.${name}`)) continue;
    form.append(
      h(
        "label",
        {},
        name,
        h(
          "select",
          { name: `cat.${name}` },
          h("option", { value: "" }, "any"),
          ...values.map((v) =>
            h("option", { value: v, selected: params.get(`cat.${name}`) === v }, v || "(none)")
          ),
        ),
      ),
    );
  }
  for (const name of info.numbers ?? []) {
    form.append(
      h(
        "label",
        {},
        `${name} ≥`,
        h("input", {
          type: "number",
          step: "any",
          name: `min.${name}`,
          value: params.get(`min.${name}`) ?? "",
        }),
      ),
      h(
        "label",
        {},
        `${name} ≤`,
        h("input", {
          type: "number",
          step: "any",
          name: `max.${name}`,
          value: params.get(`max.${name}`) ?? "",
        }),
      ),
    );
  }
  const flags = new Set(params.getAll("flag"));
  for (const name of info.flags ?? []) {
    form.append(
      h(
        "label",
        { class: "check" },
        h("input", { type: "checkbox", name: "flag", value: name, checked: flags.has(name) }),
        name,
      ),
    );
  }
  form.append(
    h(
      "label",
      {},
      "search text",
      h("input", {
        type: "search",
        name: "q",
        value: params.get("q") ?? "",
        placeholder: "in the raw JSON",
      }),
    ),
    h("button", { type: "submit" }, "Apply"),
    h("button", { type: "button", onclick: () => go(`file=${file}`) }, "Clear"),
  );
  fileSelect.addEventListener("change", () => go(`file=${fileSelect.value}`));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v !== "") q.append(k, v);
    go(q.toString());
  });
  const query = Object.fromEntries([...params].filter(([k]) => k !== "flag"));
  const page = await api("/api/records", {
    ...query,
    flag: params.getAll("flag"),
    run: runName,
    stage: stage.id,
    file,
  });
  // While a large file is still being indexed its count is not known yet (null).
  const counted = page.matched !== null;
  const pages = counted ? Math.max(1, Math.ceil(page.matched / page.size)) : Infinity;
  const turn = (to) => {
    const q = new URLSearchParams(params);
    q.set("page", String(to));
    go(q.toString());
  };
  const pager = h(
    "div",
    { class: "pager" },
    h("button", { disabled: page.page === 0, onclick: () => turn(page.page - 1) }, "‹ prev"),
    h(
      "span",
      { id: "matched" },
      counted
        ? `page ${page.page + 1} of ${pages} · ${page.matched} of ${page.total} records match`
        : `page ${page.page + 1} · counting records…`,
    ),
    h("button", {
      disabled: page.page + 1 >= pages || page.rows.length < page.size,
      onclick: () => turn(page.page + 1),
    }, "next ›"),
  );
  wrap.append(form, pager, recordTable(runName, stage.id, page));
  return wrap;
}

function recordTable(runName, stageId, page) {
  const open = (line) => () => (location.hash = `#/item/${enc(runName)}/${enc(stageId)}/${line}`);
  const row = (line, cells, clickable = true) =>
    h(
      "tr",
      {
        class: clickable ? "link" : "",
        "data-line": line,
        onclick: clickable ? open(line) : undefined,
      },
      h("td", { class: "num" }, line + 1),
      ...cells.map((c) => (c instanceof Node ? c : h("td", {}, c))),
    );
  const table = (head, rows) =>
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "records" },
        h(
          "tr",
          {},
          h("th", {}, "#"),
          ...head.map((x) => h("th", {}, x)),
        ),
        ...rows,
      ),
    );
  if (page.kind === "rollout") {
    return table(
      [
        "pair",
        "mode",
        "template",
        "order",
        "sample",
        "verdict / scores",
        "reward",
        "advantage",
        "parse error",
        "thought",
      ],
      page.rows.map(({ line, record: r }) =>
        row(line, [
          r.pairId,
          r.mode,
          r.template,
          r.order ?? r.target,
          r.sample,
          r.verdict ?? (r.scores ? JSON.stringify(r.scores) : "–"),
          h("td", { class: "num" }, num(r.reward)),
          h("td", { class: "num" }, num(r.advantage)),
          r.parseError ?? "",
          short(r.thought ?? "", 120),
        ])
      ),
    );
  }
  if (page.kind === "evaluate") {
    return table(
      ["item", "subset", "comparisons", "verdicts (AB | BA) or scores", "thought lengths"],
      page.rows.map(({ line, record: r }) =>
        row(line, [
          r.itemId,
          r.subset,
          r.results.length,
          short(r.results.map(resultBrief).join("  ·  "), 160),
          short(r.results.flatMap((c) => c.thoughtLengths).join(", "), 60),
        ])
      ),
    );
  }
  if (page.kind === "rejects") {
    return table(
      ["reason", "detail", "record"],
      page.rows.map(({ line, record: r }) =>
        row(line, [r.reason, r.detail ?? "", short(JSON.stringify(r.record), 200)], false)
      ),
    );
  }
  return table(
    ["record"],
    page.rows.map(({ line, record }) =>
      row(line, [
        h(
          "td",
          {},
          h(
            "details",
            {},
            h("summary", {}, short(JSON.stringify(record), 160)),
            h("pre", {}, JSON.stringify(record, null, 2)),
          ),
        ),
      ], false)
    ),
  );
}

function resultBrief(c) {
  if (c.scores) return `${c.key}: ${c.scores.chosen.join("/")} vs ${c.scores.rejected.join("/")}`;
  const side = (o) =>
    (c.verdicts?.[o] ?? c.scorePairs?.[o]?.map((p) => (p ? p.join(":") : "null")) ?? []).map((v) =>
      v ?? "–"
    ).join("");
  return `${c.key}: ${side("AB")} | ${side("BA")}`;
}

async function itemPage(runName, stageId, line) {
  setCrumbs(["runs", "#/"], [runName, `#/run/${enc(runName)}`], [
    stageId,
    `#/stage/${enc(runName)}/${enc(stageId)}`,
  ], [`record ${line + 1}`]);
  const item = await api("/api/item", { run: runName, stage: stageId, line });
  if (item.kind === "rollout") return rolloutItem(item);
  if (item.kind === "evaluate") return evalItem(item.record, item.item, item.note);
  app.replaceChildren(
    h("h1", {}, `Record ${line + 1}`),
    h("pre", {}, JSON.stringify(item.record, null, 2)),
  );
}

function rolloutItem(item) {
  const pair = item.pair;
  const first = item.rollouts[0].record;
  const parts = [h("h1", {}, `Pair ${first.pairId}`)];
  if (pair) {
    parts.push(
      h(
        "div",
        { class: "box", id: "instruction" },
        h("h3", {}, "Instruction"),
        h("pre", {}, text(pair.instruction)),
      ),
      h(
        "div",
        { class: "side" },
        h("div", { class: "box", id: "chosen" }, h("h3", {}, "Chosen"), h("pre", {}, pair.chosen)),
        h(
          "div",
          { class: "box", id: "rejected" },
          h("h3", {}, "Rejected"),
          h("pre", {}, pair.rejected),
        ),
      ),
      h(
        "details",
        {},
        h("summary", {}, `method ${pair.method}, provenance`),
        h("pre", {}, JSON.stringify(pair.provenance ?? {}, null, 2)),
      ),
    );
  } else {parts.push(
      h("p", { class: "muted" }, "The pair record was not found among this stage's input stages."),
    );}
  const groups = new Map();
  for (const { line, record: r } of item.rollouts) {
    const key = `${r.mode} · ${r.template}`;
    if (!groups.has(key)) groups.set(key, new Map());
    const slot = r.order ?? r.target;
    const slots = groups.get(key);
    if (!slots.has(slot)) slots.set(slot, []);
    slots.get(slot)[r.sample] = { line, r };
  }
  for (const [key, slots] of groups) {
    const names = [...slots.keys()].sort();
    const samples = Math.max(...names.map((n) => slots.get(n).length));
    const label = (
      n,
    ) => (n === "AB"
      ? "AB (chosen shown as A)"
      : n === "BA"
      ? "BA (rejected shown as A)"
      : `scores the ${n} response`);
    parts.push(
      h("h2", {}, key),
      h(
        "div",
        { class: "scroll" },
        h(
          "table",
          { class: "judgments" },
          h("tr", {}, h("th", {}, "sample"), ...names.map((n) => h("th", {}, label(n)))),
          ...Array.from(
            { length: samples },
            (_, i) => {
              const ab = slots.get("AB")?.[i]?.r, ba = slots.get("BA")?.[i]?.r;
              // The same letter in both orders: the pick followed the position (a flip).
              const flip = ab?.verdict && ab.verdict === ba?.verdict;
              return h(
                "tr",
                { class: flip ? "flip" : "" },
                h("td", {}, i, flip ? h("div", { class: "wrong" }, "flip") : null),
                ...names.map((n) => judgmentCell(slots.get(n)[i]?.r)),
              );
            },
          ),
        ),
      ),
    );
  }
  app.replaceChildren(...parts.filter(Boolean));
}

function judgmentCell(r) {
  if (!r) return h("td", {}, "–");
  const right = r.rewards?.correct === 1;
  const verdict = r.verdict
    ? `verdict ${r.verdict}`
    : r.scores
    ? `scores ${JSON.stringify(r.scores)}`
    : "no verdict";
  return h(
    "td",
    { class: "cell" },
    h(
      "div",
      {},
      h("span", { class: right ? "right" : "wrong" }, verdict),
      r.parseError ? h("span", { class: "error" }, ` · ${r.parseError}`) : null,
    ),
    h(
      "div",
      {},
      `reward ${num(r.reward)} · advantage ${num(r.advantage)} · `,
      Object.entries(r.rewards ?? {}).map(([k, v]) => `${k} ${v}`).join(", "),
    ),
    h("pre", { class: "thought" }, r.thought || "(no thought)"),
  );
}

function evalItem(r, bench, note) {
  const responses = new Map((bench?.comparisons ?? []).map((c) => [c.key, c]));
  const parts = [
    h("h1", {}, `${r.benchmark} · ${r.subset} · ${r.itemId}`),
    bench
      ? h(
        "div",
        { class: "box", id: "instruction" },
        h("h3", {}, "Instruction"),
        h("pre", {}, text(bench.instruction)),
      )
      : h("p", { class: "muted" }, `Instruction and responses not shown: ${note}.`),
    h(
      "p",
      { class: "muted" },
      "The evaluate stage keeps the verdicts or scores of every order and sample and the thought lengths, not the thoughts; the instruction and responses are read again from the benchmark data its manifest names.",
    ),
  ];
  for (const c of r.results) {
    const orders = ["AB", "BA"].filter((o) => c.verdicts?.[o]?.length || c.scorePairs?.[o]?.length);
    const rows = [];
    for (const o of orders) {
      const right = o === "AB" ? "A" : "B";
      const vs = c.verdicts?.[o] ?? [];
      const ps = c.scorePairs?.[o] ?? [];
      const n = Math.max(vs.length, ps.length);
      for (let i = 0; i < n; i++) {
        const v = vs[i] ??
          (ps[i] ? (ps[i][0] === ps[i][1] ? null : ps[i][0] > ps[i][1] ? "A" : "B") : null);
        rows.push(
          h(
            "tr",
            {},
            h("td", {}, o),
            h("td", {}, i),
            h(
              "td",
              { class: v === null ? "" : v === right ? "right" : "wrong" },
              v ?? "unparsed / tie",
            ),
            h("td", {}, ps[i] ? ps[i].join(" : ") : ""),
            h("td", {}, `right answer ${right}`),
          ),
        );
      }
    }
    if (c.scores) {
      c.scores.chosen.forEach((s, i) =>
        rows.push(
          h(
            "tr",
            {},
            h("td", {}, "pointwise"),
            h("td", {}, i),
            h("td", {
              class: s !== null && c.scores.rejected[i] !== null && s > c.scores.rejected[i]
                ? "right"
                : "wrong",
            }, `chosen ${s ?? "–"} vs rejected ${c.scores.rejected[i] ?? "–"}`),
            h("td", {}, ""),
            h("td", {}, ""),
          ),
        )
      );
    }
    const pair = responses.get(c.key);
    parts.push(
      h("h2", {}, `comparison ${c.key}`),
      pair
        ? h(
          "div",
          { class: "side" },
          h("div", { class: "box chosen" }, h("h3", {}, "Chosen"), h("pre", {}, pair.chosen)),
          h("div", { class: "box rejected" }, h("h3", {}, "Rejected"), h("pre", {}, pair.rejected)),
        )
        : null,
      h(
        "table",
        { class: "judgments" },
        h(
          "tr",
          {},
          ...["order", "sample", "verdict", "scores A : B", ""].map((x) => h("th", {}, x)),
        ),
        ...rows,
      ),
      h("p", {}, `thought lengths (characters): ${c.thoughtLengths.join(", ") || "–"}`),
    );
  }
  if (r.meta) {
    parts.push(
      h("details", {}, h("summary", {}, "meta"), h("pre", {}, JSON.stringify(r.meta, null, 2))),
    );
  }
  app.replaceChildren(...parts.filter(Boolean));
}

async function comparePage(params) {
  setCrumbs(["runs", "#/"], ["compare"]);
  const entries = params.getAll("e");
  const cmp = await api("/api/compare", { e: entries });
  const parts = [
    h("h1", {}, "Compare judges"),
    h(
      "p",
      { class: "muted" },
      `Official scores (points) and J1 metrics from each run's summary.json; accuracy rates ×100. ${
        entries.join(", ")
      }`,
    ),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { id: "headline" },
        h("tr", {}, h("th", {}, "judge"), ...cmp.columns.map((c) => h("th", { class: "num" }, c))),
        ...cmp.rows.map((r) =>
          h(
            "tr",
            {},
            h("td", {}, r.judge),
            ...r.cells.map((v) => h("td", { class: "num" }, pts(v))),
          )
        ),
      ),
    ),
  ];
  for (const p of cmp.pairs) {
    const link = (who, line) =>
      h("a", { href: `#/item/${enc(who.run)}/${enc(who.stage)}/${line}` }, who.judge);
    const diffTable = (title, list, count, id) =>
      h(
        "details",
        { open: list.length > 0 && list.length <= 20, "data-diff": id },
        h("summary", {}, `${title}: ${count} item(s)`),
        h(
          "table",
          {},
          h(
            "tr",
            {},
            ...["item", "subset", p.baseline.judge, p.other.judge, "open"].map((x) =>
              h("th", {}, x)
            ),
          ),
          ...list.map((d) =>
            h(
              "tr",
              {},
              h("td", {}, d.itemId),
              h("td", {}, d.subset),
              h("td", { class: "num" }, pct(d.before)),
              h("td", { class: "num" }, pct(d.after)),
              h("td", {}, link(p.baseline, d.lines[0]), " · ", link(p.other, d.lines[1])),
            )
          ),
        ),
      );
    parts.push(
      h("h2", {}, `${p.benchmark}: ${p.other.judge} vs ${p.baseline.judge}`),
      h(
        "p",
        { class: "paired" },
        `Accuracy difference on the ${p.sharedItems} items (${p.sharedComparisons} comparisons) both judged: `,
        h(
          "strong",
          {},
          p.difference === null
            ? "–"
            : `${p.difference >= 0 ? "+" : ""}${p.difference.toFixed(2)} points`,
        ),
        p.interval
          ? ` (95% paired bootstrap interval [${p.interval[0].toFixed(2)}, ${
            p.interval[1].toFixed(2)
          }], items resampled)`
          : "",
      ),
      h(
        "table",
        { class: "metrics" },
        h(
          "tr",
          {},
          ...["metric", p.baseline.judge, p.other.judge, "difference"].map((x) => h("th", {}, x)),
        ),
        ...p.rows.map((r) =>
          h(
            "tr",
            {},
            h("td", {}, r.metric),
            h("td", { class: "num" }, pts(r.baseline)),
            h("td", { class: "num" }, pts(r.current)),
            h(
              "td",
              { class: "num" },
              r.delta === null ? "–" : `${r.delta >= 0 ? "+" : ""}${r.delta.toFixed(2)}`,
            ),
          )
        ),
      ),
      diffTable(`Fixed (right more often with ${p.other.judge})`, p.fixed, p.fixedCount, "fixed"),
      diffTable(
        `Broken (right less often with ${p.other.judge})`,
        p.broken,
        p.brokenCount,
        "broken",
      ),
    );
  }
  app.replaceChildren(...parts.filter(Boolean));
}

addEventListener("hashchange", route);
route();
