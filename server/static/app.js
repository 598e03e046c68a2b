// The chat page. Every piece of document or answer text goes in through textContent or
// createTextNode: nothing from the articles or the answer is ever parsed as HTML.
"use strict";

const conversation = document.getElementById("conversation");
const form = document.getElementById("ask");
const input = document.getElementById("question");
const send = document.getElementById("send");
const statusLine = document.getElementById("status");
const viewer = document.getElementById("viewer");
const history = [];  // {role, content} turns, for follow-up questions

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function apiHeaders() {
  const headers = { "Content-Type": "application/json" };
  const key = sessionStorage.getItem("rag-api-key");
  if (key) headers["Authorization"] = "Bearer " + key;
  return headers;
}

async function readError(response) {
  try {
    const body = await response.json();
    return body.error ? body.error.message : response.statusText;
  } catch (e) {
    return response.statusText;
  }
}

// Replace the streamed plain text with text nodes and clickable citation markers.
function renderAnswer(box, text, citations) {
  const byNumber = new Map(citations.map((c) => [c.n, c]));
  box.replaceChildren();
  let last = 0;
  for (const match of text.matchAll(/\[(\d+)\]/g)) {
    box.appendChild(document.createTextNode(text.slice(last, match.index)));
    const citation = byNumber.get(Number(match[1]));
    if (citation) {
      const marker = el("button", "marker", match[0]);
      marker.type = "button";
      marker.dataset.n = match[1];
      marker.title = citation.quote;
      marker.addEventListener("click", () => showCitation(citation));
      box.appendChild(marker);
    } else {
      box.appendChild(document.createTextNode(match[0]));
    }
    last = match.index + match[0].length;
  }
  box.appendChild(document.createTextNode(text.slice(last)));
}

function renderSources(turn, result) {
  const list = el("ol", "sources");
  const items = result.found ? result.citations : result.hits.slice(0, 3);
  for (const item of items) {
    const li = el("li");
    li.appendChild(el("span", "headline", item.title || item.doc));
    li.appendChild(el("span", "doc-name", item.doc));
    if (result.found) {
      li.value = item.n;
      li.addEventListener("click", () => showCitation(item));
      li.style.cursor = "pointer";
    }
    list.appendChild(li);
  }
  if (items.length) {
    turn.appendChild(el("p", "doc-name", result.found ? "来源 Sources" : "最接近的段落 Closest passages"));
    turn.appendChild(list);
  }
}

async function showCitation(citation) {
  const response = await fetch("/api/documents/" + encodeURIComponent(citation.doc).replace(/%2F/g, "/"),
                               { headers: apiHeaders() });
  if (!response.ok) {
    statusLine.textContent = await readError(response);
    return;
  }
  const doc = await response.json();
  document.getElementById("viewer-title").textContent = citation.title || doc.id;
  document.getElementById("viewer-doc").textContent = doc.id;
  const text = document.getElementById("viewer-text");
  const mark = el("mark", "", doc.text.slice(citation.start, citation.end));
  text.replaceChildren(
    document.createTextNode(doc.text.slice(0, citation.start)),
    mark,
    document.createTextNode(doc.text.slice(citation.end)),
  );
  viewer.hidden = false;
  mark.scrollIntoView({ block: "center" });
}

document.getElementById("viewer-close").addEventListener("click", () => { viewer.hidden = true; });

function parseEvents(buffer, onEvent) {
  let cut;
  while ((cut = buffer.indexOf("\n\n")) >= 0) {
    const block = buffer.slice(0, cut);
    buffer = buffer.slice(cut + 2);
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (data.length) onEvent(event, JSON.parse(data.join("\n")));
  }
  return buffer;
}

async function ask(question) {
  const turn = el("li", "turn");
  turn.appendChild(el("p", "question", question));
  const box = el("div", "answer streaming");
  turn.appendChild(box);
  conversation.appendChild(turn);
  send.disabled = true;
  statusLine.textContent = "检索中… Searching…";
  history.push({ role: "user", content: question });
  let text = "";
  try {
    const response = await fetch("/api/chat", {
      method: "POST",
      headers: apiHeaders(),
      body: JSON.stringify({ messages: history, stream: true }),
    });
    if (!response.ok) throw new Error(await readError(response));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let result = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer = parseEvents(buffer + decoder.decode(value, { stream: true }), (event, data) => {
        if (event === "delta") {
          text += data.text;
          box.textContent = text;
        } else if (event === "citations") {
          result = data;
        } else if (event === "error") {
          throw new Error(data.message);
        }
      });
    }
    box.classList.remove("streaming");
    if (result) {
      renderAnswer(box, text, result.citations);
      if (!result.found) box.classList.add("not-found");
      renderSources(turn, result);
    }
    history.push({ role: "assistant", content: text });
    statusLine.textContent = "";
    turn.dataset.done = "true";
  } catch (error) {
    history.pop();
    box.classList.remove("streaming");
    box.classList.add("error");
    box.textContent = "出错了 Error: " + error.message;
    statusLine.textContent = "";
    turn.dataset.done = "true";
  } finally {
    send.disabled = false;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const question = input.value.trim();
  if (!question) {
    statusLine.textContent = "请输入问题 Please type a question";
    return;
  }
  input.value = "";
  ask(question);
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});

for (const button of document.querySelectorAll(".example")) {
  button.addEventListener("click", () => ask(button.textContent));
}
