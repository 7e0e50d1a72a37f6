DROP TABLE held_posts;
