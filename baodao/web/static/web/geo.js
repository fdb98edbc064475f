/* Adds the phone's position to the check-in and check-out forms of an activity with a geofence.
 *
 * Progressive enhancement: without this script, or when the phone gives no position, the form still works
 * and the community sees that the check-in came without a position. The messages come from the page
 * (data-geo-* attributes), so that they are translated with the rest of it.
 */
(function () {
  "use strict";

  var forms = document.querySelectorAll("form[data-geofence]");
  if (!forms.length || !("geolocation" in navigator)) {
    return;
  }

  function say(key) {
    forms.forEach(function (form) {
      var status = form.querySelector(".geo-status");
      if (status && status.dataset[key]) {
        status.textContent = status.dataset[key];
      }
    });
  }

  say("geoAsking");
  navigator.geolocation.getCurrentPosition(
    function (position) {
      forms.forEach(function (form) {
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.lng.value = position.coords.longitude.toFixed(6);
      });
      say("geoOk");
    },
    function () {
      say("geoFailed");
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
  );
})();
