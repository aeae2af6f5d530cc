// The page's one alert: every failure is reported here (role="alert" in index.html).
//
// Each message is a new element rather than new text in the old one, so that screen
// readers announce a repeated message too (the same text set twice is no change).

const alertRegion = () => document.getElementById("alert");

export function showAlert(message) {
  const text = document.createElement("p");
  text.className = "alert__text";
  text.textContent = message;
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "button button--small alert__dismiss";
  dismiss.textContent = "Dismiss";
  dismiss.addEventListener("click", clearAlert);
  alertRegion().replaceChildren(text, dismiss);
}

export function clearAlert() {
  alertRegion().replaceChildren();
}
