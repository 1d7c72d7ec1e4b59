// The bundle's viewer: reads the recording from the JSON block and builds the page.
// Text from the recording is only ever set with textContent (never innerHTML, never an
// attribute that runs or loads anything), so no string in it can become an element or a script.
"use strict";

(function () {
  const ROW_HEIGHT = 22;
  const CHILDREN_AT_ONCE = 200;
  const STRING_LIMIT = 4000;
  const CACHED_CHUNKS = 16;

  const data = JSON.parse(document.getElementById("vcr-data").textContent);
  const runs = data.runs;
  const chunks = new Map(); // "run:chunk" -> Promise of the frames of that chunk
  let run = 0;
  let current = 0;
  let side = "in";
  let showing = 0; // bumped on every selection, so a late chunk never paints over a newer frame

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  // --- frames: inflated a chunk at a time, on demand -------------------------------------

  async function inflate(base64) {
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  function frameAt(runIndex, index) {
    const info = runs[runIndex];
    const number = Math.floor(index / info.chunk);
    const key = runIndex + ":" + number;
    let pending = chunks.get(key);
    if (pending === undefined) {
      pending = inflate(info.chunks[number]);
      chunks.set(key, pending);
      if (chunks.size > CACHED_CHUNKS) chunks.delete(chunks.keys().next().value);
    }
    return pending.then((frames) => frames[index - number * info.chunk]);
  }

  // --- the frame list: only the rows in view exist ---------------------------------------

  const list = byId("frames");
  const spacer = byId("frames-spacer");

  function rowsOf(runIndex) {
    return runs[runIndex].rows;
  }

  function paintRows() {
    const rows = rowsOf(run);
    const first = Math.max(0, Math.floor(list.scrollTop / ROW_HEIGHT) - 5);
    const last = Math.min(rows.length, first + Math.ceil(list.clientHeight / ROW_HEIGHT) + 10);
    spacer.replaceChildren();
    for (let index = first; index < last; index++) {
      const [glyph, word, node, latency, tokens] = rows[index];
      const row = el("div", "row " + word + (rows[index][6] ? " failed" : "") + (index === current ? " selected" : ""));
      row.dataset.index = String(index);
      row.style.top = index * ROW_HEIGHT + "px";
      row.append(
        el("span", "index", "#" + index),
        el("span", "glyph", glyph),
        el("span", "word", word),
        el("span", "node", node),
        el("span", "latency", latency),
        el("span", "tokens", tokens),
      );
      spacer.append(row);
    }
  }

  function scrollIntoView(index) {
    const top = index * ROW_HEIGHT;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + ROW_HEIGHT > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW_HEIGHT - list.clientHeight;
  }

  list.addEventListener("scroll", paintRows, { passive: true });
  list.addEventListener("click", (event) => {
    const row = event.target.closest(".row");
    if (row) select(Number(row.dataset.index));
  });

  // --- the state tree: children are built when a node is first opened --------------------

  function keyLabel(key) {
    return el("span", "key", typeof key === "number" ? "[" + key + "]" : key);
  }

  function scalar(value) {
    if (value === null) return el("span", "null", "null");
    if (typeof value === "string") {
      const span = el("span", "string");
      if (value.length <= STRING_LIMIT) {
        span.textContent = '"' + value + '"';
        return span;
      }
      span.textContent = '"' + value.slice(0, STRING_LIMIT) + "…";
      const rest = el("button", "more", "… " + (value.length - STRING_LIMIT).toLocaleString() + " more characters");
      rest.addEventListener("click", () => {
        span.textContent = '"' + value + '"';
        rest.remove();
      });
      const both = el("span");
      both.append(span, rest);
      return both;
    }
    return el("span", typeof value === "number" ? "number" : "bool", String(value));
  }

  function treeNode(key, value) {
    if (value === null || typeof value !== "object") {
      const leaf = el("div", "leaf");
      leaf.append(keyLabel(key), el("span", "colon", ": "), scalar(value));
      return leaf;
    }
    const entries = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
    const details = el("details", "branch");
    const summary = el("summary");
    const size = Array.isArray(value) ? "[" + entries.length + "]" : "{" + entries.length + "}";
    summary.append(keyLabel(key), el("span", "container", " " + size));
    details.append(summary);
    let filled = false;
    details.addEventListener("toggle", () => {
      if (details.open && !filled) {
        filled = true;
        fill(details, entries, 0);
      }
    });
    return details;
  }

  function fill(parent, entries, from) {
    const end = Math.min(entries.length, from + CHILDREN_AT_ONCE);
    for (let i = from; i < end; i++) parent.append(treeNode(entries[i][0], entries[i][1]));
    if (end < entries.length) {
      const more = el("button", "more", "… " + (entries.length - end).toLocaleString() + " more");
      more.addEventListener("click", () => {
        more.remove();
        fill(parent, entries, end);
      });
      parent.append(more);
    }
  }

  function stateTree(state) {
    const root = el("div", "tree");
    const entries = state !== null && typeof state === "object" ? Object.entries(state) : [["value", state]];
    if (entries.length === 0) root.append(el("div", "muted", "(empty)"));
    fill(root, entries, 0);
    for (const child of root.children) if (child.tagName === "DETAILS") child.open = true;
    return root;
  }

  // --- one frame: details, state, what the step changed -----------------------------------

  function showFrame(frame) {
    const [glyph, word, node, latency, tokens, cost, failed] = rowsOf(run)[current];
    const title = byId("frame-title");
    title.className = "frame-title " + word + (failed ? " failed" : "");
    title.textContent = "#" + current + " " + glyph + " " + word + "  " + node;
    const facts = byId("frame-facts");
    facts.replaceChildren();
    const shown = [
      ["time", frame.facts.time],
      ["model", frame.facts.model],
      ["latency", latency],
      ["tokens", tokens],
      ["cost", cost],
      ["error", frame.facts.error],
      ["message", frame.facts.message],
    ];
    for (const [label, value] of shown) {
      if (!value) continue;
      const fact = el("div", "fact" + (label === "error" || label === "message" ? " failed" : ""));
      fact.append(el("span", "label", label + " "), el("span", "value", value));
      facts.append(fact);
    }
    byId("side-in").classList.toggle("active", side === "in");
    byId("side-out").classList.toggle("active", side === "out");
    byId("state").replaceChildren(stateTree(side === "in" ? frame.in : frame.out));
    const [before, after, summary] = frame.step;
    byId("step-caption").textContent = before + " → " + after + "   " + summary;
    const changes = byId("changes");
    changes.replaceChildren();
    if (frame.changes.length === 0) changes.append(el("div", "muted", "(the two states are equal)"));
    for (const line of frame.changes) {
      const sign = line.charAt(0);
      changes.append(el("div", "change " + (sign === "+" ? "added" : sign === "-" ? "removed" : sign === "~" ? "changed" : "muted"), line));
    }
    document.body.dataset.shown = run + ":" + current;
  }

  function select(index) {
    const rows = rowsOf(run);
    if (rows.length === 0) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    scrollIntoView(current);
    paintRows();
    const ticket = ++showing;
    const where = run;
    frameAt(where, current).then((frame) => {
      if (ticket === showing) showFrame(frame);
    });
  }

  // --- runs: the recording and its forks --------------------------------------------------

  function showRun(index) {
    run = index;
    const info = runs[run].session;
    document.title = "vcr-tui · " + info.id;
    const head = byId("run-title");
    head.replaceChildren(el("span", "session", info.id), el("span", "muted", "  " + info.file));
    const totals = [runs[run].rows.length.toLocaleString() + " frames", info.tokens && info.tokens + " tokens", info.cost, info.created]
      .filter(Boolean)
      .join(" · ");
    byId("run-facts").textContent = totals;
    const problems = byId("problems");
    problems.replaceChildren();
    for (const problem of runs[run].problems) problems.append(el("div", "failed", "skipped " + problem));
    for (const item of document.querySelectorAll("#runs .run")) item.classList.toggle("selected", Number(item.dataset.run) === run);
    spacer.style.height = runs[run].rows.length * ROW_HEIGHT + "px";
    list.scrollTop = 0;
    current = 0;
    if (runs[run].rows.length === 0) {
      paintRows();
      byId("frame-title").textContent = "(no frames)";
      document.body.dataset.shown = run + ":none";
      return;
    }
    select(0);
  }

  function paintRuns() {
    const box = byId("runs");
    if (runs.length < 2) {
      box.hidden = true;
      return;
    }
    const title = el("div", "pane-title", "runs");
    box.append(title);
    runs.forEach((item, index) => {
      const info = item.session;
      const line = el("div", "run");
      line.dataset.run = String(index);
      line.style.paddingLeft = 0.5 + item.depth * 1.5 + "em";
      const words = item.depth ? "↳ " + info.id : info.id;
      line.append(el("span", "session", words));
      const where = info.forked_from !== null && item.depth ? "  forked at #" + info.forked_from : "";
      line.append(el("span", "muted", where + "  " + item.rows.length.toLocaleString() + " frames"));
      line.addEventListener("click", () => showRun(index));
      box.append(line);
    });
  }

  // --- keys, as in the terminal -----------------------------------------------------------

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const page = Math.max(1, Math.floor(list.clientHeight / ROW_HEIGHT) - 1);
    const moves = {
      j: 1,
      ArrowDown: 1,
      k: -1,
      ArrowUp: -1,
      PageDown: page,
      PageUp: -page,
    };
    if (event.key in moves) select(current + moves[event.key]);
    else if (event.key === "g" || event.key === "Home") select(0);
    else if (event.key === "G" || event.key === "End") select(rowsOf(run).length - 1);
    else if (event.key === "i") {
      side = side === "in" ? "out" : "in";
      select(current);
    } else return;
    event.preventDefault();
  });
  byId("side-in").addEventListener("click", () => {
    side = "in";
    select(current);
  });
  byId("side-out").addEventListener("click", () => {
    side = "out";
    select(current);
  });

  paintRuns();
  showRun(0);
  document.body.dataset.ready = "1";
})();
