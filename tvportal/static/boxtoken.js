/* The box's own account (tvportal/views/launch.py launch_box, docs/operator.md section 2).  Home carries this
   script only where the operator checks tokens, on boxes whose key profile has Authentication.CTCGetConfig
   (Huawei/ZTE), until this power-on's box has asked once.  It reads the account and the token of the box's
   IPTV login and sends them to the portal, which asks the operator whether they belong together; the page
   is not held up meanwhile.  Loaded again only when the account brings other display preferences (large
   text).  ES3: the oldest set-top-box browsers run it; without it the page works as an unknown box. */
(function (w) {
  var a = w.Authentication, M = w.TVNAV || {}, home = M.keys && M.keys.home ? M.keys.home.href : '/',
    x, sent, user, token, stb, model;
  if (!a || !a.CTCGetConfig || !w.XMLHttpRequest) return;

  function read(name) {
    var v;
    try { v = a.CTCGetConfig(name); } catch (e) { v = ''; }
    return v ? String(v) : '';
  }

  user = read('UserID');
  token = read('UserToken');
  stb = read('STBID');
  if (!user || !token || !stb) return;  // the box has not logged in to the IPTV platform (yet)
  model = read('STBType');
  sent = 'UserID=' + encodeURIComponent(user) + '&UserToken=' + encodeURIComponent(token) +
    '&STBID=' + encodeURIComponent(stb) + '&model=' + encodeURIComponent(model);
  x = new w.XMLHttpRequest();
  x.onreadystatechange = function () {
    if (x.readyState == 4 && x.status == 200 && x.responseText == 'reload') w.location.reload();
  };
  x.open('POST', home.replace(/\/$/, '') + '/launch/box', true);
  x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
  x.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
  x.send(sent);
})(window);
