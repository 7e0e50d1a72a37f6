DROP TABLE clinic_media;
