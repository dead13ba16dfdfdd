"use strict";
// The backprop page: draws the four-pixel network with every number the server computed.

(() => {
  const P = Playground;
  const PIXELS = ["upper left", "upper right", "lower left", "lower right"];
  const WIDTH = 200;
  const GAP = 34;
  const STEP = 92;
  const TOP = 96; // room for the rules above each column
  let snapshot = null;

  const server = P.connect("/ws/backprop", {
    network(message) {
      snapshot = message;
      draw();
    },
  });

  for (const id of ["forward", "backward", "update", "restart"]) {
    document.getElementById(id).addEventListener("click", () => {
      P.clearMessage();
      server.send({ type: id });
    });
  }
  for (const element of document.querySelectorAll("[data-setting]")) {
    element.addEventListener("change", () => {
      const raw = element.value;
      const value = element.type === "number" && raw !== "" ? Number(raw) : raw;
      P.clearMessage();
      server.send({ type: "settings", settings: { [element.dataset.setting]: value } });
    });
  }

  // A number with its exact value kept for checking, shown to 4 decimals.
  function num(key, value) {
    if (value === null || value === undefined) return `<span class="muted">?</span>`;
    return `<span class="num" data-key="${key}" data-exact="${value}">${P.format(value, 4)}</span>`;
  }

  function pickers() {
    const box = document.getElementById("images");
    if (!box.children.length) {
      snapshot.images.forEach((image, index) => {
        const button = document.createElement("button");
        button.title = snapshot.labels[index];
        const grid = document.createElement("div");
        grid.className = "pixels";
        for (const value of image) {
          const cell = document.createElement("div");
          cell.style.background = value > 0 ? "#fff" : "#000";
          grid.appendChild(cell);
        }
        button.appendChild(grid);
        const name = document.createElement("div");
        name.className = "note";
        name.textContent = snapshot.labels[index];
        button.appendChild(name);
        button.addEventListener("click", () => {
          P.clearMessage();
          server.send({ type: "settings", settings: { image: index } });
        });
        box.appendChild(button);
      });
    }
    [...box.children].forEach((button, index) => {
      button.classList.toggle("picked", index === snapshot.settings.image);
    });
    for (const element of document.querySelectorAll("[data-setting]")) {
      if (document.activeElement !== element) element.value = snapshot.settings[element.dataset.setting];
    }
  }

  function nodeHtml(layerIndex, j) {
    const layer = snapshot.layers[layerIndex];
    const key = `L${layerIndex}`;
    const pick = (field) => (layer[field] ? layer[field][j] : null);
    if (layerIndex === snapshot.layers.length - 1) {
      return `<div class="title">output ${j + 1}: ${snapshot.classes[j]}</div>
        z = ${num(`${key}.sum.${j}`, pick("sum"))} &nbsp; y = ${num(`${key}.value.${j}`, pick("value"))}<br>
        truth t = ${num(`target.${j}`, snapshot.target[j])}<br>
        <span class="back">∂E/∂y = ${num(`${key}.value_grad.${j}`, pick("value_grad"))}</span>`;
    }
    return `<div class="title">layer ${layerIndex + 1}, neuron ${j + 1}</div>
      z = ${num(`${key}.sum.${j}`, pick("sum"))} &nbsp; a = ${num(`${key}.value.${j}`, pick("value"))}<br>
      da/dz = ${num(`${key}.local.${j}`, pick("local"))}<br>
      <span class="back">∂E/∂a = ${num(`${key}.value_grad.${j}`, pick("value_grad"))}<br>
      ∂E/∂z = ${num(`${key}.sum_grad.${j}`, pick("sum_grad"))}</span>`;
  }

  // The local rules of a column, printed above its nodes.
  function rulesOf(layerIndex) {
    const layer = snapshot.layers[layerIndex];
    if (layerIndex === snapshot.layers.length - 1) {
      return ["outputs (no squash)", "z = Σ w·a + b;  y = z", snapshot.error_rule, "∂E/∂z = ∂E/∂y"];
    }
    const [valueRule, localRule] = layer.rule;
    return [
      `layer ${layerIndex + 1}: ${layer.activation}`,
      `z = Σ w·a + b;  ${valueRule}`,
      localRule,
      "∂E/∂a = Σ (fed nodes) w·∂E/∂z",
      "∂E/∂z = ∂E/∂a · da/dz",
    ];
  }

  function draw() {
    pickers();
    document.getElementById("error-rule").textContent = "E = Σ (y − t)²";
    const error = document.getElementById("error");
    error.textContent = snapshot.error === null ? "–" : P.format(snapshot.error, 4);
    error.dataset.exact = snapshot.error ?? "";
    const phases = {
      start: "press forward",
      forward: "forward pass done: press backward",
      backward: "gradients ready: press update",
      update: `weights updated (${snapshot.updates} so far): press forward to see the new error`,
    };
    document.getElementById("phase").textContent = `(${phases[snapshot.phase]})`;

    const diagram = document.getElementById("diagram");
    diagram.textContent = "";
    const sizes = [4, ...snapshot.layers.map((layer) => layer.weight.length)];
    const tallest = Math.max(...sizes);
    diagram.style.height = `${tallest * STEP + TOP + 10}px`;
    const boxes = sizes.map((count, c) =>
      Array.from({ length: count }, (_, i) => ({
        x: c * (WIDTH + GAP),
        y: TOP + (i + (tallest - count) / 2) * STEP,
      })),
    );
    const SVG = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", sizes.length * (WIDTH + GAP));
    svg.setAttribute("height", tallest * STEP + TOP + 10);
    diagram.appendChild(svg);
    snapshot.layers.forEach((layer, l) => {
      let largest = 1e-9;
      for (const row of layer.weight) for (const w of row) largest = Math.max(largest, Math.abs(w));
      layer.weight.forEach((row, j) =>
        row.forEach((w, i) => {
          if (w === 0) return;
          const line = document.createElementNS(SVG, "line");
          line.setAttribute("x1", boxes[l][i].x + WIDTH);
          line.setAttribute("y1", boxes[l][i].y + 38);
          line.setAttribute("x2", boxes[l + 1][j].x);
          line.setAttribute("y2", boxes[l + 1][j].y + 38);
          line.setAttribute("stroke", w > 0 ? "#0877bd" : "#f59322");
          line.setAttribute("stroke-width", (0.5 + 3 * Math.abs(w) / largest).toFixed(2));
          line.setAttribute("stroke-opacity", "0.55");
          svg.appendChild(line);
        }),
      );
    });
    const heads = [["input pixels", "a = brightness", "(−1 black, +1 white)"]];
    snapshot.layers.forEach((_, l) => heads.push(rulesOf(l)));
    heads.forEach((lines, c) => {
      const head = document.createElement("div");
      head.className = "column-head";
      head.style.left = `${c * (WIDTH + GAP)}px`;
      head.style.top = "0px";
      head.style.width = `${WIDTH}px`;
      lines.forEach((text, i) => {
        const line = document.createElement("div");
        line.textContent = text;
        if (i === 0) line.className = "title";
        head.appendChild(line);
      });
      diagram.appendChild(head);
    });
    boxes.forEach((column, c) =>
      column.forEach((box, j) => {
        const node = document.createElement("div");
        node.className = "node";
        node.style.left = `${box.x}px`;
        node.style.top = `${box.y}px`;
        node.style.width = `${WIDTH}px`;
        node.innerHTML = c === 0
          ? `<div class="title">pixel ${j + 1}: ${PIXELS[j]}</div>a = ${num(`input.${j}`, snapshot.image[j])}`
          : nodeHtml(c - 1, j);
        diagram.appendChild(node);
      }),
    );
    tables();
  }

  function tables() {
    const box = document.getElementById("tables");
    box.textContent = "";
    snapshot.layers.forEach((layer, l) => {
      const table = document.createElement("table");
      table.className = "weights-table";
      const inputs = layer.weight[0].length;
      let html = `<caption>layer ${l + 1}: w[j][i] from input i to neuron j</caption><tr><th>j \\ i</th>`;
      for (let i = 0; i < inputs; i++) html += `<th>${i + 1}</th>`;
      html += "<th>bias</th></tr>";
      layer.weight.forEach((row, j) => {
        html += `<tr><th>${j + 1}</th>`;
        row.forEach((w, i) => {
          const grad = layer.weight_grad ? layer.weight_grad[j][i] : null;
          html += `<td>${num(`L${l}.weight.${j}.${i}`, w)}<br><span class="back">${num(`L${l}.weight_grad.${j}.${i}`, grad)}</span></td>`;
        });
        const biasGrad = layer.bias_grad ? layer.bias_grad[j] : null;
        html += `<td>${num(`L${l}.bias.${j}`, layer.bias[j])}<br><span class="back">${num(`L${l}.bias_grad.${j}`, biasGrad)}</span></td></tr>`;
      });
      table.innerHTML = html;
      box.appendChild(table);
    });
  }
})();
