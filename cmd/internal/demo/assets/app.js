// edlwire teaching demo: follows one transmission through the server's
// event stream (api/events) and draws it. No libraries, no network but
// this page's own server.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const C = {
  blue: "#0072B2", orange: "#E69F00", sky: "#56B4E9", green: "#009E73",
  vermillion: "#D55E00", purple: "#CC79A7", ink: "#111", muted: "#555", grid: "#d0d0d0",
};

let S = fresh();

function fresh() {
  return {
    run: 0, scene: null, random: false, scenes: [], spec: null,
    rows: [], cum: [], trainBits: 0, testBits: 0, testCount: 0, passBytes: null,
    show: null, bob: null, agreed: 0, mismatch: -1,
    cps: new Map(), status: { status: "starting" }, report: null, keysSeen: new Set(),
  };
}

// ---------- formatting: every number with its unit ----------
const nf = (d) => new Intl.NumberFormat("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const fmt = (v, d) => (v === null || v === undefined || !isFinite(v)) ? "–" : nf(d).format(v);
const bits = (v, d = 1) => fmt(v, d) + " bits";
const $ = (id) => document.getElementById(id);

function phaseOf(i) {
  const sp = S.spec;
  if (!sp) return "train";
  if (i < sp.n) return "train";
  if (i < sp.n + (sp.validation || 0)) return "valid";
  return "test";
}
const phaseName = { train: "the coded pass (counts toward MDL)", valid: "validation labels (for θ*, not MDL)", test: "test labels, coded against the final model (not MDL)" };
const K = () => (S.spec ? S.spec.classes : 10);
const log2K = () => Math.log2(K());

// ---------- messages ----------
function handle(m) {
  switch (m.type) {
    case "reset":
      S = fresh();
      S.run = m.run; S.scene = m.scene; S.random = m.random; S.scenes = m.scenes;
      S.status = { status: "starting", paused: m.paused, delay_ms: m.delay_ms };
      drawScenes(); resetPanels();
      break;
    case "start":
      S.spec = m.spec;
      break;
    case "ex":
      for (const r of m.rows) addRow(r);
      break;
    case "show":
      S.show = m.ex;
      break;
    case "bob":
      S.bob = m.ex; S.agreed = m.agreed; S.mismatch = m.mismatch;
      break;
    case "cp":
      S.cps.set(m.cp.example, m.cp);
      break;
    case "status":
      S.status = m;
      break;
    case "report":
      S.report = m;
      break;
  }
  dirty();
}

function addRow(r) {
  const [i, y, b, bytes] = r;
  if (i !== S.rows.length) return;
  S.rows.push(r);
  const ph = phaseOf(i);
  if (ph === "train") {
    S.trainBits += b;
    S.cum.push(S.trainBits);
    if (S.spec && i === S.spec.n - 1) S.passBytes = bytes;
    if (r.length > 4) S.keysSeen.add(r[4]);
  } else if (ph === "test") {
    S.testBits += b; S.testCount++;
  }
}

// ---------- drawing helpers ----------
function el(name, attrs, parent, text) {
  const e = document.createElementNS(SVGNS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
function svg(w, h, label) {
  const s = el("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": label });
  return s;
}
function niceTicks(max, n) {
  if (!(max > 0)) return [0];
  const raw = max / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) || 10 * mag;
  const out = [];
  for (let v = 0; v <= max * 1.0001; v += step) out.push(v);
  return out;
}
function axes(s, box, xmax, ymax, xlabel, ylabel) {
  const { l, r, t, b, W, H } = box;
  const X = (v) => l + (v / xmax) * (W - l - r);
  const Y = (v) => H - b - (v / ymax) * (H - t - b);
  for (const v of niceTicks(ymax, 5)) {
    el("line", { x1: l, x2: W - r, y1: Y(v), y2: Y(v), stroke: C.grid, "stroke-width": 1 }, s);
    el("text", { x: l - 8, y: Y(v) + 6, "text-anchor": "end", "font-size": 17, fill: C.ink }, s, fmt(v, v < 10 && ymax < 20 ? 1 : 0));
  }
  for (const v of niceTicks(xmax, 5)) {
    el("line", { x1: X(v), x2: X(v), y1: H - b, y2: H - b + 6, stroke: C.ink }, s);
    el("text", { x: X(v), y: H - b + 24, "text-anchor": "middle", "font-size": 17, fill: C.ink }, s, fmt(v, 0));
  }
  el("line", { x1: l, x2: W - r, y1: H - b, y2: H - b, stroke: C.ink, "stroke-width": 2 }, s);
  el("line", { x1: l, x2: l, y1: t, y2: H - b, stroke: C.ink, "stroke-width": 2 }, s);
  el("text", { x: (l + W - r) / 2, y: H - 6, "text-anchor": "middle", "font-size": 18, fill: C.ink }, s, xlabel);
  el("text", { x: 18, y: (t + H - b) / 2, "text-anchor": "middle", "font-size": 18, fill: C.ink, transform: `rotate(-90 18 ${(t + H - b) / 2})` }, s, ylabel);
  return { X, Y };
}
const pts = (a) => a.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");

// The final model's test loss: the report's once it is in, else the mean
// over the test labels sent so far (an estimate, said so on the page).
function testLoss() {
  if (S.report && S.report.alice && S.report.alice.test_loss_bits !== undefined) return { v: S.report.alice.test_loss_bits, final: true };
  if (S.testCount > 0) return { v: S.testBits / S.testCount, final: false };
  return null;
}

// ---------- panels ----------
function drawCurve() {
  const n = S.spec ? S.spec.n : 100, W = 800, H = 390;
  const box = { l: 78, r: 20, t: 14, b: 56, W, H };
  const m = S.cum.length;
  let wireMax = 0;
  for (let i = 0; i < m; i++) wireMax = Math.max(wireMax, 8 * S.rows[i][3]);
  const L0 = testLoss();
  const rest = Math.max(m ? S.cum[m - 1] : 0, wireMax, L0 ? n * L0.v : 0, 1);
  // When the uniform code dwarfs everything else (hypothesis collapse), the
  // axis follows the bits actually sent and the grey line leaves the chart.
  const capped = n * log2K() > 8 * rest;
  const ymax = (capped ? 4 * rest : Math.max(n * log2K(), rest)) * 1.04;
  const s = svg(W, H, "cumulative bits against labels sent");
  const clip = el("clipPath", { id: "plot-clip" }, el("defs", {}, s));
  el("rect", { x: box.l, y: box.t, width: W - box.l - box.r, height: H - box.t - box.b }, clip);
  const { X, Y } = axes(s, box, n, ymax, "labels sent, i (training pass)", "bits");
  const plot = el("g", { "clip-path": "url(#plot-clip)" }, s);
  const step = Math.max(1, Math.ceil(m / 700));
  const curve = [[X(0), Y(0)]];
  for (let i = 0; i < m; i += step) curve.push([X(i + 1), Y(S.cum[i])]);
  if (m && (m - 1) % step) curve.push([X(m), Y(S.cum[m - 1])]);
  const L = L0;
  if (L && m) {
    const back = [[X(m), Y(m * L.v)], [X(0), Y(0)]];
    el("polygon", { points: pts(curve.concat(back)), fill: C.sky, "fill-opacity": 0.45, stroke: "none" }, plot);
  }
  el("line", { x1: X(0), y1: Y(0), x2: X(n), y2: Y(n * log2K()), stroke: C.muted, "stroke-width": 3, "stroke-dasharray": "10 7" }, plot);
  if (capped) {
    el("text", { x: X(ymax / log2K()) + 10, y: box.t + 20, "font-size": 17, fill: C.muted, class: "halo" }, s, `no model: ${bits(n * log2K(), 0)} at i = ${fmt(n, 0)}, far above`);
  }
  if (L) el("line", { x1: X(0), y1: Y(0), x2: X(n), y2: Y(n * L.v), stroke: C.vermillion, "stroke-width": 3, "stroke-dasharray": "12 6" }, plot);
  if (m) {
    const wire = [[X(0), Y(0)]];
    let last = 0;
    for (let i = 0; i < m; i += step) { const w = 8 * S.rows[i][3]; wire.push([X(i + 1), Y(last)]); wire.push([X(i + 1), Y(w)]); last = w; }
    el("polyline", { points: pts(wire), fill: "none", stroke: C.purple, "stroke-width": 2.5, "stroke-dasharray": "2 4" }, plot);
    el("polyline", { points: pts(curve), fill: "none", stroke: C.blue, "stroke-width": 4.5, "stroke-linejoin": "round" }, plot);
  }
  $("curve").replaceChildren(s);
  let note = "";
  if (m) {
    note = `So far: ${fmt(m, 0)} labels for ${bits(S.cum[m - 1])} (${fmt(S.cum[m - 1] / m, 3)} bits/label); without a model ${bits(m * log2K())}.`;
  }
  if (L) {
    const edl = (m ? S.cum[m - 1] : 0) - m * L.v;
    note += ` L_test = ${fmt(L.v, 4)} bits/example${L.final ? "" : " (estimated from the test labels sent so far)"}; shaded area so far: ${bits(edl)}.`;
  } else if (S.spec && S.spec.test > 0) {
    note += " The red line appears when Alice sends the test labels, after the pass.";
  }
  $("curve-note").textContent = note;
}

function drawLoss() {
  const n = S.spec ? S.spec.n : 100, W = 800, H = 300;
  const box = { l: 78, r: 20, t: 34, b: 56, W, H };
  const m = S.cum.length;
  const w = n <= 400 ? 1 : Math.ceil(n / 200);
  const blocks = [];
  for (let a = 0; a < m; a += w) {
    const e = Math.min(m, a + w);
    let sum = 0;
    for (let i = a; i < e; i++) sum += S.rows[i][2];
    blocks.push([a, e, sum / (e - a)]);
  }
  let ymax = log2K() * 1.25;
  for (const bl of blocks) ymax = Math.max(ymax, bl[2] * 1.05);
  const s = svg(W, H, "bits per label against labels sent");
  const { X, Y } = axes(s, box, n, ymax, w > 1 ? `labels sent, i (mean over each ${w})` : "labels sent, i", "bits / label");
  const line = [];
  for (const [a, e, v] of blocks) { line.push([X(a), Y(v)]); line.push([X(e), Y(v)]); }
  const L = testLoss();
  if (L && line.length) {
    const back = [[line[line.length - 1][0], Y(L.v)], [line[0][0], Y(L.v)]];
    el("polygon", { points: pts(line.concat(back)), fill: C.sky, "fill-opacity": 0.45, stroke: "none" }, s);
  }
  el("line", { x1: X(0), x2: X(n), y1: Y(log2K()), y2: Y(log2K()), stroke: C.muted, "stroke-width": 3, "stroke-dasharray": "10 7" }, s);
  el("text", { x: box.l, y: 20, "font-size": 17, fill: C.muted }, s, `grey: log₂K = ${fmt(log2K(), 2)} bits, no model`);
  if (L) {
    el("line", { x1: X(0), x2: X(n), y1: Y(L.v), y2: Y(L.v), stroke: C.vermillion, "stroke-width": 3, "stroke-dasharray": "12 6" }, s);
    el("text", { x: W - box.r, y: 20, "text-anchor": "end", "font-size": 17, fill: C.vermillion, "font-weight": "bold" }, s, `red: L_test = ${fmt(L.v, 3)} bits${L.final ? "" : " (so far)"}`);
  }
  if (line.length) el("polyline", { points: pts(line), fill: "none", stroke: C.blue, "stroke-width": 3.5 }, s);
  $("loss").replaceChildren(s);
  $("loss-note").textContent = "Each label costs −log₂p bits. The shaded area between this curve and the red line is the EDL: summed over the labels, the bits above what the final model still pays.";
}

function drawInput(ex) {
  const box = $("input-view");
  const pic = S.scene ? S.scene.picture : "strip";
  const x = ex && ex.x ? ex.x : null;
  if (!x) { box.replaceChildren(); return; }
  if (pic === "digits" && x.length === 64) {
    const s = svg(240, 240, `8 by 8 image of the handwritten digit of example ${ex.i}`);
    const lo = Math.min(...x), hi = Math.max(...x);
    x.forEach((v, j) => {
      const t = hi > lo ? (v - lo) / (hi - lo) : 0, g = Math.round(255 * (1 - t));
      el("rect", { x: (j % 8) * 30, y: Math.floor(j / 8) * 30, width: 30, height: 30, fill: `rgb(${g},${g},${g})` }, s);
    });
    el("rect", { x: 0, y: 0, width: 240, height: 240, fill: "none", stroke: C.ink, "stroke-width": 3 }, s);
    s.style.maxWidth = "240px";
    box.replaceChildren(s);
  } else if (pic === "number" && x.length === 1) {
    const d = document.createElement("p");
    d.className = "big";
    d.innerHTML = `input <strong class="num" style="font-size:2.2rem">x = ${x[0]}</strong><br><span class="note">the rule: y = (x + j) mod ${K()}, with j hidden</span>`;
    box.replaceChildren(d);
  } else if (pic === "keys" && x.length === 1) {
    const keys = S.spec && S.spec.keys ? S.spec.keys : 50, per = 10, cell = 43;
    const rows = Math.ceil(keys / per);
    const s = svg(per * cell + 4, rows * cell + 40, `keys seen so far: ${S.keysSeen.size} of ${keys}`);
    for (let k = 0; k < keys; k++) {
      const seen = S.keysSeen.has(k), cur = k === x[0];
      const gx = 2 + (k % per) * cell, gy = 2 + Math.floor(k / per) * cell;
      el("rect", { x: gx + 2, y: gy + 2, width: cell - 6, height: cell - 6, rx: 6, fill: seen ? C.sky : "#fff", stroke: cur ? C.ink : "#999", "stroke-width": cur ? 5 : 1.5 }, s);
      el("text", { x: gx + cell / 2 - 1, y: gy + cell / 2 + 6, "text-anchor": "middle", "font-size": 16, fill: C.ink }, s, String(k));
    }
    el("text", { x: 4, y: rows * cell + 28, "font-size": 16, fill: C.ink }, s, `key ${x[0]} (outlined); seen in the pass (filled): ${S.keysSeen.size} of ${keys}`);
    box.replaceChildren(s);
  } else {
    const W = 440, H = 80, n = x.length, cw = (W - 4) / n;
    const s = svg(W, H, `input vector of ${n} numbers`);
    const amax = Math.max(...x.map(Math.abs), 1e-9);
    x.forEach((v, j) => {
      el("rect", { x: 2 + j * cw, y: 4, width: cw - 3, height: 50, fill: v < 0 ? C.blue : C.orange, "fill-opacity": Math.min(1, Math.abs(v) / amax), stroke: C.ink, "stroke-width": 1 }, s);
      el("text", { x: 2 + j * cw + cw / 2, y: 72, "text-anchor": "middle", "font-size": n > 20 ? 8 : 11, fill: C.ink }, s, fmt(v, 1));
    });
    box.replaceChildren(s);
  }
}

function drawDist(ex) {
  const box = $("dist-view");
  if (!ex || !ex.p) { box.replaceChildren(); return; }
  const classes = ex.top ? ex.top : ex.p.map((_, k) => k);
  const W = 440, H = 230, l = 40, b = 34, t = 34, n = ex.p.length, bw = (W - l - 8) / n;
  const s = svg(W, H, `predicted probability of each class; the true label ${ex.y} got ${fmt(ex.p[classes.indexOf(ex.y)], 3)}`);
  const Y = (v) => H - b - v * (H - t - b);
  for (const v of [0, 0.5, 1]) {
    el("line", { x1: l, x2: W - 8, y1: Y(v), y2: Y(v), stroke: C.grid }, s);
    el("text", { x: l - 6, y: Y(v) + 5, "text-anchor": "end", "font-size": 15, fill: C.ink }, s, String(v));
  }
  classes.forEach((k, j) => {
    const p = ex.p[j], truth = k === ex.y, x = l + j * bw + 3;
    el("rect", { x, y: Y(p), width: bw - 6, height: Math.max(1, Y(0) - Y(p)), fill: truth ? C.orange : C.blue, stroke: truth ? C.ink : "none", "stroke-width": 3 }, s);
    el("text", { x: x + (bw - 6) / 2, y: H - b + 22, "text-anchor": "middle", "font-size": n > 12 ? 12 : 17, "font-weight": truth ? "bold" : "normal", fill: C.ink }, s, String(k));
    if (truth) {
      const left = j < n / 2;
      el("text", { x: left ? x : x + bw - 6, y: Math.max(Y(Math.max(...ex.p)) - 8, 50), "text-anchor": left ? "start" : "end", "font-size": 16, "font-weight": "bold", fill: C.ink, class: "halo" }, s, `▼ true label ${ex.y}: p = ${fmt(p, 3)}`);
    }
  });
  el("text", { x: 0, y: 16, "font-size": 15, fill: C.muted }, s, ex.top ? `prediction: the ${n} most probable of ${K()} classes` : "the model's prediction p(class | x), before it learns y");
  box.replaceChildren(s);
}

function drawExample() {
  const ex = S.show;
  const total = S.spec ? S.spec.n + (S.spec.validation || 0) + S.spec.test : null;
  $("ex-total").textContent = total === null ? "–" : fmt(total, 0);
  if (!ex) { $("ex-index").textContent = "–"; return; }
  $("ex-index").textContent = fmt(ex.i + 1, 0);
  $("ex-phase").textContent = "· " + (phaseName[ex.phase] || ex.phase);
  $("ex-label").textContent = String(ex.y);
  const j = ex.top ? ex.top.indexOf(ex.y) : ex.y;
  $("ex-p").textContent = fmt(ex.p ? ex.p[j] : Math.pow(2, -ex.bits), 4);
  $("ex-bits").textContent = bits(ex.bits, 3);
  $("ex-bytes").textContent = `${fmt(ex.bytes, 0)} bytes (${fmt(8 * ex.bytes, 0)} bits)`;
  drawInput(ex);
  drawDist(ex);
}

function drawBob() {
  const v = $("bob-view"), b = S.bob;
  if (!b) { $("bob-text").textContent = "waiting for the first bytes…"; return; }
  v.dataset.state = S.mismatch >= 0 ? "mismatch" : "ok";
  const behind = S.rows.length - (b.i + 1);
  let t = `decoded ${fmt(b.i + 1, 0)} labels from the ${fmt(b.bytes, 0)} bytes he has read (the last: label ${b.y} of example ${fmt(b.i + 1, 0)}). `;
  t += S.mismatch >= 0 ? `✗ His label at example ${S.mismatch + 1} differs from Alice's!` : `✓ All ${fmt(S.agreed, 0)} equal to Alice's labels.`;
  if (behind > 0 && S.status.status === "running") t += ` He is ${fmt(behind, 0)} behind: their bits have not yet filled a byte.`;
  $("bob-text").textContent = t;
}

function drawSync() {
  const rows = [...S.cps.values()].sort((a, b) => a.example - b.example);
  const body = $("sync-rows");
  const wrap = $("sync-wrap");
  const atEnd = wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - 4;
  body.replaceChildren(...rows.map((cp) => {
    const tr = document.createElement("tr");
    const waiting = !cp.alice || !cp.bob;
    tr.className = waiting ? "waiting" : cp.match ? "match" : "differ";
    let where = fmt(cp.example, 0);
    if (cp.phase === "valid") where += " (θ*)";
    if (cp.phase === "test") where += " (test)";
    const cells = [where, cp.alice ? cp.alice.slice(0, 12) : "…", cp.bob ? cp.bob.slice(0, 12) : "…",
      waiting ? "waiting for Bob" : cp.match ? "✓ match" : "✗ DIFFER"];
    cells.forEach((c, k) => {
      const td = document.createElement("td");
      td.textContent = c;
      if (k === 1 || k === 2) td.className = "mono";
      if (k === 3) td.className = "verdict";
      tr.appendChild(td);
    });
    return tr;
  }));
  if (atEnd) wrap.scrollTop = wrap.scrollHeight;
  const matched = rows.filter((r) => r.match).length;
  $("sync-count").textContent = fmt(matched, 0);
  $("sync-count").dataset.value = String(matched);
  $("sync-of").textContent = `matching checkpoints of ${fmt(rows.length, 0)} so far`;
}

function get(path) {
  const [side, key] = path.split(".");
  const r = S.report && S.report[side];
  return r ? r[key] : undefined;
}
const shows = {
  n: (v) => `${fmt(v, 0)} labels`,
  coded_bits: (v) => bits(v, 0),
  payload_bytes: (v) => `${fmt(v, 0)} bytes`,
  uniform_bits: (v) => bits(v, 1),
  test_loss_bits: (v) => `${fmt(v, 4)} bits/example`,
  edl_bits: (v) => bits(v, 1),
  checkpoints_matched: (v) => `${fmt(v, 0)} checkpoints`,
  fingerprint: (v) => String(v).slice(0, 32) + "…",
  bob_verified: (v) => (v ? "yes ✓" : "NO ✗"),
};

function drawResults() {
  const ready = !!S.report;
  $("result-panel").dataset.ready = String(ready);
  for (const e of document.querySelectorAll("[data-key]")) {
    const v = get(e.dataset.key);
    if (v === undefined) { e.textContent = "–"; delete e.dataset.value; continue; }
    e.dataset.value = String(v);
    e.textContent = (shows[e.dataset.key.split(".")[1]] || String)(v);
  }
  const a = S.report && S.report.alice;
  if (a && a.test_loss_bits !== undefined) {
    $("r-nltest").textContent = bits(a.n * a.test_loss_bits, 1);
    $("r-per-label").textContent = `(${fmt(a.coded_bits / a.n, 3)} bits/label)`;
  } else {
    $("r-nltest").textContent = "–";
    $("r-per-label").textContent = "";
  }
  const ls = $("live-summary");
  const matched = [...S.cps.values()].filter((r) => r.match).length;
  ls.dataset.examples = String(S.rows.length);
  ls.dataset.trainBits = String(S.trainBits);
  ls.dataset.passBytes = S.passBytes === null ? "" : String(S.passBytes);
  ls.dataset.agreed = String(S.agreed);
  ls.dataset.matched = String(matched);
  ls.textContent = `${fmt(S.rows.length, 0)} labels coded; Σ −log₂p over the training labels ${bits(S.trainBits, 2)}` +
    (S.passBytes === null ? "" : `; ${fmt(S.passBytes, 0)} bytes after the pass (${bits(8 * S.passBytes, 0)})`) +
    `; ${fmt(S.agreed, 0)} of Bob's labels equal to Alice's; ${fmt(matched, 0)} matching checkpoints.`;
}

function drawStatus() {
  const st = S.status, s = $("status");
  let t = { starting: "starting alice and bob…", running: "running", done: "finished ✓", failed: "failed: " + (st.error || "") }[st.status] || st.status;
  if (st.status === "running" && st.paused) t = "paused (Step codes one example)";
  s.textContent = t;
  s.dataset.status = st.status;
  $("pause").textContent = st.paused ? "Resume" : "Pause";
  $("pause").setAttribute("aria-pressed", st.paused ? "true" : "false");
  const busy = st.status === "running" || st.status === "starting";
  $("pause").disabled = !busy;
  $("step").disabled = !busy;
  const sel = $("speed");
  const want = String(st.delay_ms === undefined ? "" : st.delay_ms);
  if (![...sel.options].some((o) => o.value === want) && want !== "") {
    const o = document.createElement("option");
    o.value = want; o.textContent = `${fmt(Number(want), Number(want) < 1 ? 2 : 0)} ms per example`;
    sel.appendChild(o);
  }
  sel.value = want;
  document.body.dataset.state = st.status === "done" && S.report ? "done" : st.status;
  document.body.dataset.run = String(S.run);
}

function drawScenes() {
  const box = $("scenes");
  box.replaceChildren(...S.scenes.map((sc) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = sc.title;
    b.disabled = !sc.available;
    if (!sc.available) b.title = `needs ${sc.data} (give edl demo --data-dir)`;
    b.setAttribute("aria-pressed", S.scene && S.scene.name === sc.name ? "true" : "false");
    b.addEventListener("click", () => control({ action: "restart", scene: sc.name, random: $("random").checked }));
    return b;
  }));
  $("random").checked = S.random;
  $("blurb").textContent = S.scene ? S.scene.blurb + (S.random ? " Labels replaced by random ones: nothing to learn." : "") : "";
}

function resetPanels() {
  $("sync-rows").replaceChildren();
  $("input-view").replaceChildren();
  $("dist-view").replaceChildren();
  for (const id of ["ex-label", "ex-p", "ex-bits", "ex-bytes"]) $(id).textContent = "–";
  $("ex-phase").textContent = "";
}

let pending = false;
function dirty() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    drawStatus(); drawExample(); drawBob(); drawCurve(); drawLoss(); drawSync(); drawResults();
  });
}

// ---------- controls ----------
async function control(body) {
  try {
    const r = await fetch("api/control", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (!r.ok) $("status").textContent = "could not " + body.action + ": " + (await r.text());
  } catch (e) {
    $("status").textContent = "the demo server is not answering";
  }
}
$("pause").addEventListener("click", () => control({ action: S.status.paused ? "resume" : "pause" }));
$("step").addEventListener("click", () => control({ action: "step" }));
$("speed").addEventListener("change", (e) => control({ action: "speed", delay_ms: Number(e.target.value) }));
$("restart").addEventListener("click", () => control({ action: "restart", scene: S.scene ? S.scene.name : "", random: $("random").checked }));
$("random").addEventListener("change", () => control({ action: "restart", scene: S.scene ? S.scene.name : "", random: $("random").checked }));

const es = new EventSource("api/events");
es.onmessage = (e) => handle(JSON.parse(e.data));
es.onerror = () => { if (S.status.status !== "done") $("status").textContent = "reconnecting to the demo server…"; };
dirty();
