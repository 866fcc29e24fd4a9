CREATE TABLE "scrape_leases" (
	"board_id" text NOT NULL,
	"fire_at" timestamp with time zone NOT NULL,
	"holder" text NOT NULL,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scrape_leases_board_id_fire_at_pk" PRIMARY KEY("board_id","fire_at")
);
--> statement-breakpoint
CREATE INDEX "scrape_leases_taken_idx" ON "scrape_leases" USING btree ("taken_at");