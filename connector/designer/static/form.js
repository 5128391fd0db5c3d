"use strict";
// The operation form, drawn from plugin.yaml's operation fields: nothing below names a field.
// It edits `op`, the operation file's data, in place; `payload(descriptor, op)` is what is saved.

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function option(value, label, selected) {
  const node = el("option", { value }, label);
  node.selected = selected;
  return node;
}

function empty(value) {
  return value === undefined || value === null || value === "" ||
    (typeof value === "object" && Object.keys(value).length === 0);
}

function getPath(obj, path) {
  return path.split(".").reduce((at, key) => (at && typeof at === "object" ? at[key] : undefined), obj);
}

function setPath(obj, path, value) {
  const parts = path.split(".");
  const parents = [obj];
  for (const key of parts.slice(0, -1)) {
    const at = parents[parents.length - 1];
    if (typeof at[key] !== "object" || at[key] === null) at[key] = {};
    parents.push(at[key]);
  }
  const last = parts[parts.length - 1];
  if (empty(value)) delete parents[parents.length - 1][last];
  else parents[parents.length - 1][last] = value;
  for (let i = parts.length - 2; i >= 0; i--) {  // drop parents left empty
    if (empty(parents[i + 1])) delete parents[i][parts[i]];
  }
}

// Where a parameter's value comes from, and the key that names it (operation.schema.json).
const SOURCES = {
  static: "value", document_property: "name", xpath: "xpath",
  process_property: "name", last_run_date: null, current_date: null,
};

// A field's value in `op`, else its default (for the op's action).
function fieldValue(op, field) {
  const found = getPath(op, field.path);
  if (found !== undefined) return found;
  const byAction = field.default_by_action[op.action];
  return byAction !== undefined ? byAction : field.default;
}

function fieldVisible(fields, op, field) {
  const rule = field.visible_when;
  if (!rule) return true;
  const other = fields.find((f) => f.id === rule.field);
  return other !== undefined && rule.values.includes(fieldValue(op, other));
}

// What saving `op` sends: a copy without the fields whose `visible_when` does not hold. It reads
// `op` alone, so any shape's operation is saved the same, whichever shape the form shows.
function payload(descriptor, op) {
  const fields = descriptor.operation_fields;
  const data = structuredClone(op);
  for (const field of fields) if (!fieldVisible(fields, op, field)) setPath(data, field.path, undefined);
  return data;
}

class OperationForm {
  constructor(descriptor, op, hooks) {
    this.fields = descriptor.operation_fields;
    this.op = op;
    // onImport(), onChange(), onInvalid(field, bad): whether a number box holds text that is no
    // number; filterInfo(object) -> Promise of /api/filter's answer, or null
    this.hooks = hooks;
    this.rows = new Map();
  }

  render(container) {
    container.replaceChildren();
    const tabs = new Map();
    for (const field of this.fields) {
      if (!tabs.has(field.tab)) tabs.set(field.tab, el("fieldset", {}, el("legend", {}, field.tab)));
      const row = el("div", { class: "field", "data-field": field.id },
        el("label", { for: `field-${field.id}` }, field.label + (field.overrideable ? " ↺" : "")),
        this.control(field),
        field.help ? el("p", { class: "help" }, field.help) : null);
      this.rows.set(field.id, row);
      tabs.get(field.tab).append(row);
    }
    container.append(...tabs.values());
    this.refresh();
  }

  value(field) {
    return fieldValue(this.op, field);
  }

  visible(field) {
    return fieldVisible(this.fields, this.op, field);
  }

  refresh() {
    for (const field of this.fields) this.rows.get(field.id).hidden = !this.visible(field);
  }

  set(field, value) {
    setPath(this.op, field.path, value);
    this.refresh();
    this.hooks.onChange();
  }

  control(field) {
    const id = `field-${field.id}`;
    const current = getPath(this.op, field.path);
    switch (field.type) {
      case "boolean": {
        const box = el("input", { id, name: field.id, type: "checkbox" });
        box.checked = Boolean(this.value(field));
        box.addEventListener("change", () => this.set(field, box.checked));
        return box;
      }
      case "choice": {
        const byAction = Object.keys(field.default_by_action).length > 0;
        const fallback = field.default !== null ? `default (${field.default})`
          : byAction ? "default for the action" : "choose…";
        const select = el("select", { id, name: field.id }, option("", fallback, current === undefined),
          ...field.choices.map((c) => option(c.value, c.label, c.value === current)));
        select.addEventListener("change", () => this.set(field, select.value));
        return select;
      }
      case "integer":
      case "number": {
        const input = el("input", {
          id, name: field.id, type: "number", step: field.type === "integer" ? "1" : "any",
          min: field.minimum ?? field.exclusive_minimum, max: field.maximum,
          placeholder: field.default !== null ? `default ${field.default}` : "default",
        });
        input.value = current ?? "";
        // The number as typed, never rounded: the server refuses 1.5 for an integer, located.
        // Text the browser cannot read as a number (badInput: its value is then "") is kept
        // out of `op` and reported by onInvalid, so saving stops instead of dropping it.
        input.addEventListener("input", () => {
          this.hooks.onInvalid(field, input.validity.badInput);
          if (!input.validity.badInput) this.set(field, input.value === "" ? undefined : Number(input.value));
        });
        return input;
      }
      case "object_type":
        return el("div", { class: "row" },
          el("input", { id, name: field.id, readonly: true, value: current ?? "", placeholder: "import one" }),
          el("button", { type: "button", class: "primary", "data-action": "import", onclick: () => this.hooks.onImport() },
            "Import Operation"));
      case "profile":
        return el("input", { id, name: field.id, readonly: true, value: current ?? "", placeholder: "none" });
      case "argument":
        return this.argument(field, id, current);
      case "parameters":
        return this.parameters(field, id, current);
      case "parameter":
        return this.source(id, current, true, (value) => this.set(field, value));
      case "filter":
        return this.filter(field, id);
      default: {
        const input = el("input", { id, name: field.id, value: current ?? "", spellcheck: "false" });
        input.addEventListener("input", () => this.set(field, input.value));
        return input;
      }
    }
  }

  // A literal or {param: NAME}; nothing means the operation's default.
  argument(field, id, current) {
    const isParam = current !== null && typeof current === "object";
    const mode = el("select", { name: `${field.id}-mode` }, option("", "default", current === undefined),
      option("value", "value", current !== undefined && !isParam), option("param", "parameter", isParam));
    const input = el("input", { id, name: field.id, value: isParam ? current.param : (current ?? "") });
    const update = () => {
      input.hidden = mode.value === "";
      if (mode.value === "") this.set(field, undefined);
      else this.set(field, mode.value === "param" ? { param: input.value } : input.value);
    };
    mode.addEventListener("change", update);
    input.addEventListener("input", update);
    input.hidden = current === undefined;
    return el("div", { class: "row" }, mode, input);
  }

  // One value source: {from: ..., KEY: ..., default: ...}, or {param: NAME} when allowed.
  source(id, current, allowParam, changed) {
    const from = current ? (current.param !== undefined ? "param" : current.from) : "";
    const kind = el("select", { name: `${id}-from` }, option("", "none", !from),
      ...(allowParam ? [option("param", "parameter", from === "param")] : []),
      ...Object.keys(SOURCES).map((s) => option(s, s.replaceAll("_", " "), s === from)));
    const main = el("input", { name: `${id}-value`, placeholder: "value" });
    const fallback = el("input", { name: `${id}-default`, placeholder: "default" });
    if (current) {
      main.value = current.param ?? current[SOURCES[from]] ?? "";
      fallback.value = current.default ?? "";
    }
    const update = () => {
      const key = kind.value === "param" ? "param" : SOURCES[kind.value];
      main.hidden = !key;
      fallback.hidden = !kind.value || ["param", "static", "current_date"].includes(kind.value);
      if (!kind.value) return changed(undefined);
      const value = kind.value === "param" ? {} : { from: kind.value };
      if (key) value[key] = main.value;
      if (!fallback.hidden && fallback.value !== "") value.default = fallback.value;
      return changed(value);
    };
    kind.addEventListener("change", update);
    main.addEventListener("input", update);
    fallback.addEventListener("input", update);
    main.hidden = !from || !(from === "param" || SOURCES[from]);
    fallback.hidden = !from || ["param", "static", "current_date"].includes(from);
    return el("div", { class: "row", id }, kind, main, fallback);
  }

  // Named value sources, one row each.
  parameters(field, id, current) {
    const entries = Object.entries(current ?? {});
    const list = el("div", { id, "data-list": field.id });
    const write = () => this.set(field, Object.fromEntries(entries.filter(([n]) => n !== "")));
    const draw = () => {
      list.replaceChildren(...entries.map((entry, i) => {
        const name = el("input", { name: `${field.id}-name`, value: entry[0], placeholder: "name" });
        name.addEventListener("input", () => { entry[0] = name.value; write(); });
        const source = this.source(`${id}-${i}`, entry[1], false, (value) => { entry[1] = value ?? {}; write(); });
        const remove = el("button", { type: "button", title: "remove", onclick: () => { entries.splice(i, 1); write(); draw(); } }, "×");
        return el("div", { class: "row" }, name, source, remove);
      }), el("button", { type: "button", onclick: () => { entries.push(["", { from: "static", value: "" }]); draw(); } },
        `+ ${field.label.toLowerCase()}`));
    };
    draw();
    return list;
  }

  // The filter tree in the descriptor's grammar: conditions and nested and/or groups. Which
  // operators a property takes, and how many arguments each, is the server's answer
  // (/api/filter, the operation loader's own rule): the page never decides it.
  filter(field, id) {
    const box = el("div", { id, "data-filter": "" }, el("p", { class: "help" }, "Import an object to filter it."));
    const draw = (info) => {
      const set = (node) => { this.set(field, node ?? undefined); draw(info); };
      // An argument typed in place: recorded without a redraw, so the box clicked next keeps focus.
      const changed = () => this.set(field, getPath(this.op, field.path));
      const root = getPath(this.op, field.path);
      const add = el("button", { type: "button", "data-action": "add-condition", onclick: () => {
        const condition = this.condition(info);
        if (!root) set(condition);
        else if (root.and || root.or) { (root.and || root.or).push(condition); set(root); }
        else set({ and: [root, condition] });
      } }, "+ condition");
      box.replaceChildren(...(root ? [this.node(root, info, set, changed)] : []), add);
    };
    this.hooks.filterInfo(this.op.object).then((info) => { if (info) draw(info); });
    return box;
  }

  // A new condition: the first property that takes an operator, with its first one-argument one.
  condition(info) {
    const property = info.properties.find((p) => p.operators.length > 0);
    const operator = property.operators.find((o) => o.arguments === 1) || property.operators[0];
    return { property: property.name, operator: operator.id, arguments: Array(operator.arguments).fill("") };
  }

  // `replace(next)` swaps the node (null removes it) and redraws; `changed()` says it was edited
  // in place.
  node(node, info, replace, changed) {
    const items = node.and || node.or;
    if (items) {
      const join = el("select", { name: "group" }, option("and", "all of", Boolean(node.and)), option("or", "any of", Boolean(node.or)));
      join.addEventListener("change", () => replace({ [join.value]: items }));
      const children = items.map((child, i) => this.node(child, info, (next) => {
        if (next) items[i] = next; else items.splice(i, 1);
        replace(items.length ? node : null);
      }, changed));
      const nest = el("button", { type: "button", onclick: () => { items.push({ and: [this.condition(info)] }); replace(node); } }, "+ group");
      const plus = el("button", { type: "button", onclick: () => { items.push(this.condition(info)); replace(node); } }, "+ condition");
      return el("div", { class: "group" }, el("div", { class: "row" }, join, plus, nest,
        el("button", { type: "button", title: "remove group", onclick: () => replace(null) }, "×")), ...children);
    }
    // A file may name what the page would not offer: it is shown, marked, until changed.
    const property = info.properties.find((p) => p.name === node.property);
    const usable = property ? property.operators : [];
    const spec = usable.find((o) => o.id === node.operator);
    const props = el("select", { name: "property" },
      property ? null : option(node.property, `${node.property} (not filterable)`, true),
      ...info.properties.map((p) => option(p.name, `${p.name} (${p.type})`, p.name === node.property)));
    const ops = el("select", { name: "operator" },
      spec ? null : option(node.operator, `${node.operator} (not allowed here)`, true),
      ...usable.map((o) => option(o.id, o.label, o.id === node.operator)));
    const given = node.arguments || [];
    const count = spec ? spec.arguments : given.length;
    const args = Array.from({ length: count }, (_, i) => {
      const current = given[i];
      const isParam = current !== null && typeof current === "object";
      const input = el("input", { name: "argument", placeholder: isParam ? "parameter" : "value",
        value: isParam ? current.param : (current ?? "") });
      const kind = el("select", { name: "argument-kind" }, option("value", "=", !isParam), option("param", "param", isParam));
      const update = () => {
        given[i] = kind.value === "param" ? { param: input.value } : input.value;
        node.arguments = given;
        input.placeholder = kind.value === "param" ? "parameter" : "value";
        changed();
      };
      input.addEventListener("change", update);
      kind.addEventListener("change", update);
      return el("div", { class: "row" }, kind, input);
    });
    props.addEventListener("change", () => { node.property = props.value; replace(node); });
    ops.addEventListener("change", () => {
      node.operator = ops.value;
      const chosen = usable.find((o) => o.id === ops.value);
      const wanted = chosen ? chosen.arguments : given.length;
      node.arguments = given.slice(0, wanted);
      while (node.arguments.length < wanted) node.arguments.push("");
      replace(node);
    });
    return el("div", { class: "group", "data-condition": "" },
      el("div", { class: "row" }, props, ops, el("button", { type: "button", title: "remove", onclick: () => replace(null) }, "×")),
      ...args);
  }
}
