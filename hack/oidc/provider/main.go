// Command oidc-provider is the OpenID Provider of fleetdeck's browser tests: real discovery,
// the authorization code flow (PKCE allowed), ID tokens signed with an RSA key made at start,
// for static users and groups read from a JSON file. The protocol is zitadel/oidc's op package
// (OpenID Certified); this program adds only an in-memory storage and a sign-in form.
//
//	oidc-provider -issuer http://127.0.0.1:5556 -addr 127.0.0.1:5556 -config provider.json
package main

import (
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/text/language"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// Config is the JSON file named by -config: who may sign in, and which clients may ask.
type Config struct {
	Clients []ClientConfig `json:"clients"`
	Users   []UserConfig   `json:"users"`
}

type ClientConfig struct {
	ID           string   `json:"id"`
	Secret       string   `json:"secret"`
	RedirectURIs []string `json:"redirectURIs"`
}

type UserConfig struct {
	Username string   `json:"username"`
	Password string   `json:"password"`
	Email    string   `json:"email"`
	Groups   []string `json:"groups"`
}

func main() {
	issuer := flag.String("issuer", "", "the issuer URL (http allowed: the tests run on loopback)")
	addr := flag.String("addr", "127.0.0.1:5556", "address to listen on")
	configFile := flag.String("config", "", "JSON file with clients and users")
	flag.Parse()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(logger)
	if err := run(*issuer, *addr, *configFile); err != nil {
		logger.Error("oidc-provider stopped", "err", err.Error())
		os.Exit(1)
	}
}

func run(issuer, addr, configFile string) error {
	if issuer == "" || configFile == "" {
		return fmt.Errorf("-issuer and -config are required")
	}
	raw, err := os.ReadFile(configFile)
	if err != nil {
		return err
	}
	var config Config
	if err := json.Unmarshal(raw, &config); err != nil {
		return fmt.Errorf("%s: %w", configFile, err)
	}
	storage, err := newStorage(config)
	if err != nil {
		return err
	}
	var cryptoKey [32]byte // encrypts the opaque access tokens; a new one per start
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		return err
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:          cryptoKey,
		CodeMethodS256:     true,
		AuthMethodPost:     true,
		SupportedUILocales: []language.Tag{language.English},
	}, storage, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		return err
	}

	router := chi.NewRouter()
	router.Use(logRequests)
	form := &signInForm{storage: storage, callback: op.AuthCallbackURL(provider)}
	interceptor := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	router.Get(loginPath, form.show)
	router.Post(loginPath, interceptor.HandlerFunc(form.submit))
	router.Mount("/", provider)

	server := &http.Server{Addr: addr, Handler: router, ReadHeaderTimeout: 5 * time.Second}
	slog.Info("oidc-provider listening", "addr", addr, "issuer", issuer,
		"users", len(config.Users), "clients", len(config.Clients))
	return server.ListenAndServe()
}

// logRequests logs method, path and status: never the query (codes, state) or the body.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		recorder := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		started := time.Now()
		next.ServeHTTP(recorder, r)
		slog.Info("request", "method", r.Method, "path", r.URL.Path, "status", recorder.status,
			"ms", time.Since(started).Milliseconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
