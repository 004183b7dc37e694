package fakedrive

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an error in Drive's JSON shape:
//
//	{"error":{"code":404,"message":"File not found: x.","errors":[{...}]}}
type apiError struct {
	Code         int
	Domain       string
	Reason       string
	Message      string
	Location     string
	LocationType string
	header       http.Header // extra response headers, e.g. Retry-After
}

func (e *apiError) Error() string {
	return fmt.Sprintf("fakedrive: %d %s: %s", e.Code, e.Reason, e.Message)
}

func (e *apiError) write(w http.ResponseWriter) {
	type item struct {
		Domain       string `json:"domain"`
		Reason       string `json:"reason"`
		Message      string `json:"message"`
		Location     string `json:"location,omitempty"`
		LocationType string `json:"locationType,omitempty"`
	}
	type body struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Errors  []item `json:"errors"`
		} `json:"error"`
	}
	var b body
	b.Error.Code = e.Code
	b.Error.Message = e.Message
	domain := e.Domain
	if domain == "" {
		domain = "global"
	}
	b.Error.Errors = []item{{Domain: domain, Reason: e.Reason, Message: e.Message, Location: e.Location, LocationType: e.LocationType}}
	for k, v := range e.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.Code)
	json.NewEncoder(w).Encode(&b)
}

func errNotFound(id string) *apiError {
	return &apiError{Code: 404, Reason: "notFound", Message: "File not found: " + id + ".", Location: "fileId", LocationType: "parameter"}
}

func errInvalid(param, msg string) *apiError {
	return &apiError{Code: 400, Reason: "invalid", Message: msg, Location: param, LocationType: "parameter"}
}

func errBadRequest(msg string) *apiError {
	return &apiError{Code: 400, Reason: "badRequest", Message: msg}
}

func errRequired(param string) *apiError {
	return &apiError{Code: 400, Reason: "required", Message: "Required parameter: " + param, Location: param, LocationType: "parameter"}
}

func errParse(msg string) *apiError {
	return &apiError{Code: 400, Reason: "parseError", Message: "Parse Error: " + msg}
}

func errForbidden(reason, msg string) *apiError {
	return &apiError{Code: 403, Reason: reason, Message: msg}
}

func errUnauthorized(msg string) *apiError {
	return &apiError{Code: 401, Reason: "authError", Message: msg, Location: "Authorization", LocationType: "header",
		header: http.Header{"Www-Authenticate": {`Bearer realm="https://accounts.google.com/"`}}}
}

func errUserRateLimit() *apiError {
	return &apiError{Code: 403, Domain: "usageLimits", Reason: "userRateLimitExceeded",
		Message: "User Rate Limit Exceeded. Rate of requests for user exceed configured project quota."}
}

func errRateLimit() *apiError {
	return &apiError{Code: 429, Domain: "usageLimits", Reason: "rateLimitExceeded", Message: "Rate Limit Exceeded"}
}

func errBackend(code int) *apiError {
	return &apiError{Code: code, Reason: "backendError", Message: "Backend Error"}
}

func errMethodNotAllowed() *apiError {
	return &apiError{Code: 405, Reason: "httpMethodNotAllowed", Message: "Method Not Allowed"}
}
