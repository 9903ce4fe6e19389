// The reconnect dialog's buttons, wired here rather than in inline handlers: the content security policy allows no inline script.
document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('[data-reconnect]') : null;
    if (!button) {
        return;
    }

    if (button.getAttribute('data-reconnect') === 'retry' && window.Blazor) {
        window.Blazor.reconnect();
    } else {
        location.reload();
    }
});
