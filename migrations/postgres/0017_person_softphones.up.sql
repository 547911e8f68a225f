-- People's browser phones: a person who signs in to the supervisor pages as himself (an
-- account's name, or the name his OpenID Connect provider vouches for: he has no account row)
-- logs in to Voximplant as this user. Only the password's digest (ha1) is kept.
CREATE TABLE person_softphones (
    person        TEXT NOT NULL PRIMARY KEY,
    softphone_user TEXT NOT NULL UNIQUE,
    softphone_ha1 TEXT NOT NULL
);
