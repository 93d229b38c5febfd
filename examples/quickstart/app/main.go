// Command web serves a greeting on $PORT (8080 by default).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, Greeting(os.Getenv("GREETING")))
	})
	log.Printf("web listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
