-- index ix_actions_application_id on actions
CREATE INDEX ix_actions_application_id ON actions (application_id);

-- index ix_actions_client_id on actions
CREATE INDEX ix_actions_client_id ON actions (client_id);

-- index ix_answers_application_id on answers
CREATE INDEX ix_answers_application_id ON answers (application_id);

-- index ix_answers_client_id on answers
CREATE INDEX ix_answers_client_id ON answers (client_id);

-- index ix_applications_client_id on applications
CREATE INDEX ix_applications_client_id ON applications (client_id);

-- index ix_assignments_client_id on assignments
CREATE INDEX ix_assignments_client_id ON assignments (client_id);

-- index ix_assignments_counsellor_id on assignments
CREATE INDEX ix_assignments_counsellor_id ON assignments (counsellor_id);

-- index ix_audit_log_client_id on audit_log
CREATE INDEX ix_audit_log_client_id ON audit_log (client_id);

-- index ix_checkins_client_id on checkins
CREATE INDEX ix_checkins_client_id ON checkins (client_id);

-- index ix_contacts_client_id on contacts
CREATE INDEX ix_contacts_client_id ON contacts (client_id);

-- index ix_feedback_application_id on feedback
CREATE INDEX ix_feedback_application_id ON feedback (application_id);

-- index ix_feedback_client_id on feedback
CREATE INDEX ix_feedback_client_id ON feedback (client_id);

-- index ix_notes_client_id on notes
CREATE INDEX ix_notes_client_id ON notes (client_id);

-- index ix_thoughts_client_id on thoughts
CREATE INDEX ix_thoughts_client_id ON thoughts (client_id);

-- index sqlite_autoindex_actions_1 on actions
None;

-- index sqlite_autoindex_answers_1 on answers
None;

-- index sqlite_autoindex_applications_1 on applications
None;

-- index sqlite_autoindex_assignments_1 on assignments
None;

-- index sqlite_autoindex_audit_log_1 on audit_log
None;

-- index sqlite_autoindex_checkins_1 on checkins
None;

-- index sqlite_autoindex_clients_1 on clients
None;

-- index sqlite_autoindex_contacts_1 on contacts
None;

-- index sqlite_autoindex_feedback_1 on feedback
None;

-- index sqlite_autoindex_notes_1 on notes
None;

-- index sqlite_autoindex_people_1 on people
None;

-- index sqlite_autoindex_settings_1 on settings
None;

-- index sqlite_autoindex_thoughts_1 on thoughts
None;

-- index ux_answers_question on answers
CREATE UNIQUE INDEX ux_answers_question ON answers (client_id, application_id, "key");

-- index ux_assignments_current_counsellor on assignments
CREATE UNIQUE INDEX ux_assignments_current_counsellor ON assignments (client_id) WHERE until IS NULL;

-- index ux_people_client_person on people
CREATE UNIQUE INDEX ux_people_client_person ON people (client_id);

-- index ux_people_login on people
CREATE UNIQUE INDEX ux_people_login ON people (login);

-- index ux_people_role on people
CREATE UNIQUE INDEX ux_people_role ON people (role_name);

-- table actions on actions
CREATE TABLE actions (
	id TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	title TEXT NOT NULL, 
	due_on TEXT, 
	done BOOLEAN NOT NULL, 
	application_id TEXT NOT NULL, 
	library_id TEXT NOT NULL, 
	created_at TEXT NOT NULL, 
	seq INTEGER NOT NULL, updated_at TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(client_id) REFERENCES clients (id)
);

-- table answers on answers
CREATE TABLE answers (
	id TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	application_id TEXT NOT NULL, 
	"key" TEXT NOT NULL, 
	value TEXT, 
	updated_at TEXT NOT NULL, 
	seq INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(client_id) REFERENCES clients (id)
);

-- table applications on applications
CREATE TABLE applications (
	id TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	company TEXT NOT NULL, 
	role TEXT NOT NULL, 
	stage TEXT NOT NULL, 
	applied_on TEXT, 
	outcome TEXT NOT NULL, 
	outcome_on TEXT, 
	how_heard TEXT NOT NULL, 
	contact_name TEXT NOT NULL, 
	seq INTEGER NOT NULL, interview_on TEXT, updated_at TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(client_id) REFERENCES clients (id)
);

-- table assignments on assignments
CREATE TABLE assignments (
	id TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	counsellor_id TEXT NOT NULL, 
	since TEXT NOT NULL, 
	until TEXT, 
	seq INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(client_id) REFERENCES clients (id) DEFERRABLE INITIALLY DEFERRED, 
	FOREIGN KEY(counsellor_id) REFERENCES people (id) DEFERRABLE INITIALLY DEFERRED
);

-- table audit_log on audit_log
CREATE TABLE audit_log (
	id TEXT NOT NULL, 
	at TEXT NOT NULL, 
	actor TEXT NOT NULL, 
	db_user TEXT NOT NULL, 
	action TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	detail TEXT NOT NULL, 
	seq INTEGER NOT NULL, 
	PRIMARY KEY (id)
);

-- table checkins on checkins
CREATE TABLE checkins (
	id TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	at TEXT NOT NULL, 
	mood INTEGER NOT NULL, 
	note TEXT NOT NULL, 
	seq INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(client_id) REFERENCES clients (id)
);

-- table clients on clients
CREATE TABLE clients (
	id TEXT NOT NULL, 
	name TEXT NOT NULL, 
	created_at TEXT NOT NULL, 
	seq INTEGER NOT NULL, language TEXT, 
	PRIMARY KEY (id)
);

-- table contacts on contacts
CREATE TABLE contacts (
	id TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	name TEXT NOT NULL, 
	company TEXT NOT NULL, 
	how_met TEXT NOT NULL, 
	follow_up_on TEXT, 
	seq INTEGER NOT NULL, updated_at TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(client_id) REFERENCES clients (id)
);

-- table feedback on feedback
CREATE TABLE feedback (
	id TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	application_id TEXT NOT NULL, 
	source_id TEXT NOT NULL, 
	person TEXT NOT NULL, 
	asked_on TEXT, 
	heard TEXT NOT NULL, 
	no_reply BOOLEAN NOT NULL, 
	heard_on TEXT, 
	scenario_id TEXT NOT NULL, 
	seq INTEGER NOT NULL, updated_at TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(client_id) REFERENCES clients (id)
);

-- table notes on notes
CREATE TABLE notes (
	id TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	at TEXT NOT NULL, 
	text TEXT NOT NULL, 
	seq INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(client_id) REFERENCES clients (id)
);

-- table people on people
CREATE TABLE people (
	id TEXT NOT NULL, 
	kind TEXT NOT NULL, 
	name TEXT NOT NULL, 
	role_name TEXT, 
	client_id TEXT, 
	created_at TEXT NOT NULL, 
	seq INTEGER NOT NULL, login TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(client_id) REFERENCES clients (id) DEFERRABLE INITIALLY DEFERRED
);

-- table schema_version on schema_version
CREATE TABLE schema_version (
	version INTEGER NOT NULL, 
	applied_at TEXT NOT NULL, 
	PRIMARY KEY (version)
);

-- table settings on settings
CREATE TABLE settings (
	"key" TEXT NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);

-- table thoughts on thoughts
CREATE TABLE thoughts (
	id TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	at TEXT NOT NULL, 
	situation TEXT NOT NULL, 
	assumption TEXT NOT NULL, 
	evidence TEXT NOT NULL, 
	reframe TEXT NOT NULL, 
	seq INTEGER NOT NULL, updated_at TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(client_id) REFERENCES clients (id)
);

-- trigger audit_log_refuse_delete on audit_log
CREATE TRIGGER audit_log_refuse_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE is refused'); END;

-- trigger audit_log_refuse_update on audit_log
CREATE TRIGGER audit_log_refuse_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE is refused'); END;

