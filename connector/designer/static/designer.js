"use strict";
// The designer page: palette, canvas, shape settings, Import Operation, save and run.
// Everything about the connector comes from /api/descriptor (plugin.yaml).

const $ = (selector) => document.querySelector(selector);
const state = { descriptor: null, shapes: [], selected: null, form: null, nextId: 1 };

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`/api/${path}`, init);
  const data = await response.json();
  if (!response.ok) {
    const error = new Error(data.error || response.statusText);
    error.problems = data.problems || [error.message];
    throw error;
  }
  return data;
}

function say(text, ok = false) {
  const box = $("#messages");
  box.textContent = text;
  box.className = ok ? "ok" : "";
}

function problems(error) {
  return (error.problems || [error.message]).join("\n");
}

function fail(error) {
  say(problems(error));
}

// The Import dialog is modal: its errors are shown in it, not behind it.
function importFail(error) {
  $("#import-message").textContent = problems(error);
}

// -- palette and dragging ---------------------------------------------------------------------

const HOST_SHAPES = [
  { kind: "start", label: "Start", detail: "no data, or one document" },
  { kind: "write", label: "Write", detail: "documents to a folder" },
  { kind: "end", label: "End", detail: "complete, or error" },
];

function connectorShape() {
  const d = state.descriptor;
  return { kind: "connector", label: d.palette ? d.palette.label : d.name, detail: d.name, icon: "/api/icon" };
}

function buildPalette() {
  const d = state.descriptor;
  const groups = [
    [d.palette ? d.palette.category : "Connectors", [connectorShape()]],
    ["Process", HOST_SHAPES],
  ];
  $("#palette-groups").replaceChildren(...groups.map(([title, shapes]) => el("section", {},
    el("h2", {}, title),
    ...shapes.map((shape) => {
      const item = el("div", { class: "palette-item", "data-shape": shape.kind, title: shape.detail },
        shape.icon ? el("img", { src: shape.icon, alt: "" }) : null, el("span", {}, shape.label));
      item.addEventListener("pointerdown", (event) => startDrag(event, shape, item));
      return item;
    }))));
}

function startDrag(event, template, item) {
  event.preventDefault();
  const ghost = item.cloneNode(true);
  ghost.classList.add("drag-ghost");
  document.body.append(ghost);
  const canvas = $("#canvas");
  const over = (e) => {
    const box = canvas.getBoundingClientRect();
    return e.clientX >= box.left && e.clientX <= box.right && e.clientY >= box.top && e.clientY <= box.bottom;
  };
  const move = (e) => {
    ghost.style.left = `${e.clientX + 4}px`;
    ghost.style.top = `${e.clientY + 4}px`;
    canvas.classList.toggle("drop-target", over(e));
  };
  const drop = (e) => {
    document.removeEventListener("pointermove", move);
    document.removeEventListener("pointerup", drop);
    ghost.remove();
    canvas.classList.remove("drop-target");
    if (over(e)) addShape(template, dropIndex(e.clientX, e.clientY));
  };
  move(event);
  document.addEventListener("pointermove", move);
  document.addEventListener("pointerup", drop);
}

// Where a drop lands: before the first shape whose centre is right of (or below) the pointer.
function dropIndex(x, y) {
  const boxes = [...document.querySelectorAll("#canvas .shape")].map((s) => s.getBoundingClientRect());
  let index = boxes.findIndex((b) => y < b.top || (y <= b.bottom && x < b.left + b.width / 2));
  if (index < 0) index = boxes.length;
  const end = state.shapes.findIndex((s) => s.kind === "end");
  if (end >= 0 && index > end) index = end;  // nothing goes after End
  return Math.max(index, 1);  // nor before Start
}

function addShape(template, index) {
  if (template.kind === "start") return say("A process has one Start shape; it is already there.");
  if (template.kind === "end" && state.shapes.some((s) => s.kind === "end")) {
    return say("A process has one End shape; it is already there.");
  }
  const shape = { id: state.nextId++, kind: template.kind, label: template.label };
  if (template.kind === "connector") shape.op = {};
  if (template.kind === "write") shape.folder = "out";
  state.shapes.splice(template.kind === "end" ? state.shapes.length : index, 0, shape);
  select(shape);
}

// -- canvas --------------------------------------------------------------------------------------

function drawCanvas() {
  $("#canvas").replaceChildren(...state.shapes.map((shape) => {
    const detail = shape.kind === "connector" ? (shape.operation || "no operation yet")
      : shape.kind === "write" ? `to ${shape.folder}` : shape.kind === "end" ? (shape.status || "complete") : "";
    const node = el("div", { class: "shape", "data-kind": shape.kind, "data-id": shape.id, tabindex: "0" },
      shape.kind === "connector" ? el("img", { src: "/api/icon", alt: "" }) : null,
      el("span", { class: "name" }, shape.label),
      el("span", { class: "detail" }, detail),
      shape.kind !== "start" ? el("button", { class: "remove", type: "button", title: "remove",
        onclick: (e) => { e.stopPropagation(); removeShape(shape); } }, "×") : null);
    node.classList.toggle("selected", shape === state.selected);
    node.addEventListener("click", () => select(shape));
    return node;
  }));
}

function removeShape(shape) {
  state.shapes = state.shapes.filter((s) => s !== shape);
  if (state.selected === shape) state.selected = null;
  drawCanvas();
  drawInspector();
}

function select(shape) {
  state.selected = shape;
  say("");
  drawCanvas();
  drawInspector();
}

// -- the selected shape's settings ---------------------------------------------------------------

function textField(label, name, value, changed, multiline = false) {
  const input = el(multiline ? "textarea" : "input", { id: `field-${name}`, name, rows: "4", spellcheck: "false" });
  input.value = value ?? "";
  input.addEventListener("input", () => { changed(input.value); drawCanvas(); });
  return el("div", { class: "field", "data-field": name }, el("label", { for: `field-${name}` }, label), input);
}

function drawInspector() {
  const shape = state.selected;
  const body = $("#inspector-body");
  state.form = null;
  if (!shape) {
    $("#inspector-title").textContent = "Select a shape";
    return body.replaceChildren();
  }
  $("#inspector-title").textContent = shape.kind === "connector" ? `${shape.label} operation` : shape.label;
  const parts = [textField("Shape label", "shape-label", shape.label, (v) => { shape.label = v; })];
  if (shape.kind === "start") {
    parts.push(textField("Document (empty: no data)", "start-data", shape.data, (v) => { shape.data = v; }, true));
  } else if (shape.kind === "write") {
    parts.push(textField("Folder (in the work folder's processes/)", "write-folder", shape.folder, (v) => { shape.folder = v; }));
  } else if (shape.kind === "end") {
    const status = el("select", { id: "field-end-status", name: "end-status" },
      el("option", { value: "complete" }, "complete"), el("option", { value: "error" }, "error"));
    status.value = shape.status || "complete";
    status.addEventListener("change", () => { shape.status = status.value; drawCanvas(); });
    parts.push(el("div", { class: "field" }, el("label", { for: "field-end-status" }, "Ends with"), status));
  } else {
    parts.push(loadPicker(shape));
    const holder = el("div", { id: "operation-form" });
    parts.push(holder, el("div", { class: "buttons" },
      el("button", { type: "button", class: "primary", id: "save", onclick: () => save(shape).catch(fail) }, "Save operation")));
    shape.invalid = new Map();  // the form shows shape.op again: no number box holds bad text
    state.form = new OperationForm(state.descriptor, shape.op, {
      onImport: () => openImport(shape).catch(importFail),
      onChange: () => { shape.dirty = true; },
      onInvalid: (field, bad) => { if (bad) shape.invalid.set(field.id, field.label); else shape.invalid.delete(field.id); },
      filterInfo: (object) => (object ? api("GET", `filter?object=${encodeURIComponent(object)}`)
        .then((info) => (info.properties.some((p) => p.operators.length) ? info : null)).catch(() => null)
        : Promise.resolve(null)),
    });
    state.form.render(holder);
  }
  body.replaceChildren(...parts);
}

function loadPicker(shape) {
  const select = el("select", { id: "load-operation", name: "load-operation" }, el("option", { value: "" }, "a new operation"));
  for (const item of state.operations || []) {
    const label = item.action ? `${item.name} (${item.action} ${item.object})` : `${item.name} (does not load)`;
    select.append(el("option", { value: item.name }, label));
  }
  select.value = shape.operation || "";
  const load = el("button", { type: "button", id: "load", onclick: () => loadOperation(shape, select.value).catch(fail) }, "Load");
  return el("div", { class: "field" }, el("label", { for: "load-operation" }, "Operation file"), el("div", { class: "row" }, select, load));
}

async function loadOperation(shape, name) {
  if (!name) {
    Object.assign(shape, { op: {}, operation: undefined, dirty: false });
  } else {
    const found = await api("GET", `operations/${encodeURIComponent(name)}`);
    Object.assign(shape, { op: found.operation, operation: found.name, dirty: false });
    if (found.problems.length) say(found.problems.join("\n"));
  }
  select(shape);
}

async function refreshOperations() {
  state.operations = await api("GET", "operations");
  $("#operation-list").replaceChildren(...state.operations.map((item) => el("li", {},
    el("button", { type: "button", onclick: () => state.selected && state.selected.kind === "connector"
      ? loadOperation(state.selected, item.name).catch(fail) : say("Select an AtomSphere shape first.") }, item.name))));
}

// Saves `shape`'s own operation, whichever shape is selected.
async function save(shape) {
  const name = shape.op.name || shape.operation;
  if (!name) throw new Error("Give the operation a name (Operation Name), or import one.");
  const bad = [...(shape.invalid || new Map()).values()];
  if (bad.length) throw new Error(`${bad.join(", ")}: not a number; correct or clear it (operation ${name}).`);
  const saved = await api("PUT", `operations/${encodeURIComponent(name)}`, { operation: payload(state.descriptor, shape.op) });
  Object.assign(shape, { op: saved.operation, operation: saved.name, dirty: false });
  await refreshOperations();
  select(shape);
  say(`Saved ${saved.path}.`, true);
}

// -- Import Operation ------------------------------------------------------------------------------

async function openImport(shape) {
  const action = shape.op.action;
  if (!action) return say("Choose the Action first: it decides which object types are offered.");
  const dialog = $("#import-dialog");
  const list = $("#import-object");
  $("#import-summary").textContent = `Object types offered for ${action} by ${state.connection.target}`;
  $("#import-message").textContent = "";
  list.replaceChildren();
  $("#import-cancel").onclick = () => dialog.close();
  $("#import-ok").onclick = null;
  dialog.showModal();
  const objects = await api("GET", `objects?action=${action}`);
  const search = $("#import-search");
  const draw = () => list.replaceChildren(...objects
    .filter((o) => `${o.id} ${o.label}`.toLowerCase().includes(search.value.toLowerCase()))
    .map((o) => el("option", { value: o.id, title: o.description }, o.deprecated ? `${o.label} (deprecated)` : o.label)));
  search.value = "";
  search.oninput = draw;
  draw();
  list.onchange = () => {
    const label = objects.find((o) => o.id === list.value).label;
    $("#import-name").value = `${action.toLowerCase()}-${label.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase()}`;
  };
  $("#import-ok").onclick = () => runImport(shape, action, list.value, $("#import-name").value).catch(importFail);
}

async function runImport(shape, action, object, name) {
  $("#import-message").textContent = "";
  if (!object) throw new Error("Choose an object type.");
  const imported = await api("POST", "import", { action, object, name });
  $("#import-dialog").close();
  Object.assign(shape, { op: imported.operation, operation: imported.name, dirty: false });
  await refreshOperations();
  select(shape);
  say(`Imported ${object}: ${imported.files.map((f) => `${f.path} (${f.status})`).join(", ")}`, true);
}

// -- running -------------------------------------------------------------------------------------

async function run() {
  $("#run-status").textContent = "running…";
  $("#run-message").textContent = "";
  for (const shape of state.shapes.filter((s) => s.kind === "connector" && s.dirty)) await save(shape);
  const shapes = state.shapes.map((s) => ({ kind: s.kind, label: s.label, operation: s.operation,
    folder: s.folder, status: s.status, data: s.data }));
  const result = await api("POST", "run", { name: $("#process-name").value, shapes });
  $("#run-status").textContent = `${result.status}`;
  $("#results").hidden = false;
  $("#results-summary").textContent = `Execution ${result.execution}: ${result.status}` +
    (result.message ? ` (${result.message})` : "") + `; ${result.documents.length} tracked documents.`;
  $("#results-table tbody").replaceChildren(...result.documents.map((d) => el("tr", { "data-index": d.index },
    el("td", {}, String(d.index)), el("td", {}, d.step), el("td", {}, d.direction),
    el("td", { "data-status": d.status }, d.status), el("td", {}, d.code), el("td", {}, d.message))));
}

async function init() {
  state.descriptor = await api("GET", "descriptor");
  state.connection = await api("GET", "connection");
  document.title = `${state.descriptor.name} designer`;
  $("#title").textContent = `${state.descriptor.name} designer`;
  $("#logo").src = "/api/icon";
  $("#connection").textContent = `${state.connection.kind}: ${state.connection.target}`;
  buildPalette();
  await refreshOperations();
  state.shapes = [{ id: state.nextId++, kind: "start", label: "Start" }, { id: state.nextId++, kind: "end", label: "End" }];
  drawCanvas();
  $("#run").addEventListener("click", () => run().catch((e) => {
    $("#run-status").textContent = "failed";
    $("#run-message").textContent = problems(e);  // beside the button that failed
    fail(e);
  }));
  document.body.dataset.ready = "true";
}

init().catch(fail);
