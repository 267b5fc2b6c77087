package main

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
)

// loginPath is where the provider sends a browser to sign in (a client's LoginURL), with the
// authorization request's id; after a good password it goes back to the op's callback.
const loginPath = "/login"

var page = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in: fleetdeck test identity provider</title></head>
<body>
<h1>Sign in</h1>
<form method="post" action="/login">
  <input type="hidden" name="id" value="{{.ID}}">
  <label>Username <input name="username" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
</body>
</html>
`))

type signInForm struct {
	storage  *storage
	callback func(context.Context, string) string
}

func (f *signInForm) show(w http.ResponseWriter, r *http.Request) {
	render(w, http.StatusOK, r.URL.Query().Get("authRequestID"), "")
}

func (f *signInForm) submit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "cannot read the form", http.StatusBadRequest)
		return
	}
	id := r.FormValue("id")
	username := r.FormValue("username")
	if err := f.storage.signIn(id, username, r.FormValue("password")); err != nil {
		slog.Info("sign-in refused", "username", username, "reason", err.Error())
		render(w, http.StatusUnauthorized, id, err.Error())
		return
	}
	slog.Info("signed in", "username", username)
	http.Redirect(w, r, f.callback(r.Context(), id), http.StatusFound)
}

func render(w http.ResponseWriter, status int, id, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = page.Execute(w, struct{ ID, Error string }{id, message})
}
