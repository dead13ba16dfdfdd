"use strict";
// Shared by the pages: the WebSocket to the server, messages for the user, and colour scales.
// Every number drawn comes from the server; this file only turns numbers into pixels.

const Playground = (() => {
  const ORANGE = [245, 147, 34]; // negative values and class 0
  const BLUE = [8, 119, 189]; // positive values and class 1
  const WHITE = [255, 255, 255];

  function showMessage(text, kind) {
    const box = document.getElementById("message");
    box.textContent = text;
    box.className = kind;
    box.hidden = false;
  }

  function clearMessage() {
    document.getElementById("message").hidden = true;
  }

  function setStatus(text, bad) {
    const status = document.getElementById("status");
    status.textContent = text;
    status.classList.toggle("bad", Boolean(bad));
  }

  // Open the page's WebSocket; handlers maps message types to functions.
  function connect(path, handlers) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${path}`);
    let leaving = false;
    window.addEventListener("beforeunload", () => { leaving = true; });
    socket.onopen = () => setStatus("connected to wright");
    socket.onclose = () => {
      if (!leaving) setStatus("disconnected from the server: reload the page to reconnect", true);
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "error") showMessage(message.message, "error");
      else if (message.type === "notice") showMessage(message.message, "notice");
      else if (handlers[message.type]) handlers[message.type](message);
    };
    return {
      send(message) {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
      },
    };
  }

  function decode(text) {
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function mix(a, b, t) {
    return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t));
  }

  // Byte 0 orange, 128 white, 255 blue.
  function diverging(byte) {
    const t = byte / 255;
    return t < 0.5 ? mix(ORANGE, WHITE, t * 2) : mix(WHITE, BLUE, (t - 0.5) * 2);
  }

  // Byte 0 black, 255 white.
  function grey(byte) {
    return [byte, byte, byte];
  }

  // Paint width x height bytes (base64) into canvas, scaled to its size with smoothing.
  function paint(canvas, text, width, height, colour, smooth = true) {
    const bytes = decode(text);
    const small = document.createElement("canvas");
    small.width = width;
    small.height = height;
    const smallContext = small.getContext("2d");
    const image = smallContext.createImageData(width, height);
    for (let i = 0; i < bytes.length; i++) {
      const [r, g, b] = colour(bytes[i]);
      image.data.set([r, g, b, 255], i * 4);
    }
    smallContext.putImageData(image, 0, 0);
    const context = canvas.getContext("2d");
    context.imageSmoothingEnabled = smooth;
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(small, 0, 0, canvas.width, canvas.height);
  }

  function colourOf(value, scale) {
    const t = Math.max(-1, Math.min(1, value / (scale || 1)));
    const rgb = t < 0 ? mix(WHITE, ORANGE, -t) : mix(WHITE, BLUE, t);
    return `rgb(${rgb.join(",")})`;
  }

  function format(value, digits = 3) {
    if (value === null || value === undefined) return "–";
    return Number(value).toFixed(digits);
  }

  return { connect, showMessage, clearMessage, paint, diverging, grey, colourOf, format, decode };
})();
